"""The benchmark harness (`make bench`): Gongzhi against its peers on the same generated data.

data: the dataset of a size; systems: start, load and stop each system; mix: the queries;
runner: latency, throughput and the one-off timings; report: docs/benchmarks.md; plot: the PNGs.
"""
