"""Gongzhi knowledge graph: ontology, case files, validation, reasoning and build."""
