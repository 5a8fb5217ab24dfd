#!/usr/bin/env bash
# A throw-away OpenLink Virtuoso (Debian's virtuoso-opensource) on loopback, for tests and trials.
#
#   scripts/virtuoso.sh start DIR PORT   install if missing, create DIR afresh, start, wait, grant
#   scripts/virtuoso.sh stop DIR         stop the server started in DIR (nothing is left running)
#   scripts/virtuoso.sh status DIR       say whether it runs; exit 0 if it answers, 1 if not
#
# HTTP (SPARQL at /sparql, Graph Store at /sparql-graph-crud) listens on 127.0.0.1:PORT, the SQL
# (isql) server on 127.0.0.1:$VIRTUOSO_SQL_PORT (default PORT+1). The database is DIR/db; DIR and
# DIR/db are in DirsAllowed, so files copied there can be bulk-loaded (ld_dir, TTLP). The server
# runs as a plain background process (virtuoso-t +foreground, pid in DIR/virtuoso.pid), never as
# the system service. Needs bash, curl and, to install, root and apt-get.
#
# Security: the fresh database keeps Virtuoso's default DBA password (dba/dba) and the anonymous
# user may update; both listen on 127.0.0.1 only. Do not point this at anything that matters.
set -euo pipefail

VIRTUOSO_T=${VIRTUOSO_T:-virtuoso-t}
ISQL=${ISQL:-isql-vt}
DBA_PASSWORD=dba  # a fresh database's default
START_TIMEOUT=${VIRTUOSO_START_TIMEOUT:-60}

say() { printf 'virtuoso.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }
usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

# --- install ------------------------------------------------------------------------------------------

POLICY_RC=/usr/sbin/policy-rc.d
OWN_POLICY_RC=

remove_policy_rc() {
    if [ -n "$OWN_POLICY_RC" ]; then rm -f "$POLICY_RC"; OWN_POLICY_RC=; fi
}

install_virtuoso() {
    if command -v "$VIRTUOSO_T" >/dev/null 2>&1 && command -v "$ISQL" >/dev/null 2>&1; then
        return
    fi
    [ "$(id -u)" = 0 ] || die "virtuoso-t is missing and installing it needs root (apt-get install virtuoso-opensource)"
    say "virtuoso-t is missing: installing Debian's virtuoso-opensource (apt-get update, then install)"
    local started=$SECONDS
    export DEBIAN_FRONTEND=noninteractive
    # The package asks for a DBA password (debconf, priority high). An empty answer is what we want:
    # the postinst then leaves the *system* instance disabled (RUN=no). We never use that instance.
    echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password password " | debconf-set-selections
    echo "virtuoso-opensource-7 virtuoso-opensource-7/dba-password-again password " | debconf-set-selections
    # Keep the postinst from starting the system service at all (it would bind 8890 and 1111 for
    # a moment): a policy-rc.d that refuses, only while installing and only if there is none.
    if [ ! -e "$POLICY_RC" ]; then
        printf '#!/bin/sh\n# scripts/virtuoso.sh: no service starts while it installs virtuoso\nexit 101\n' >"$POLICY_RC"
        chmod 755 "$POLICY_RC"
        OWN_POLICY_RC=1
        trap 'remove_policy_rc' EXIT
    fi
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends virtuoso-opensource >/dev/null
    remove_policy_rc
    trap - EXIT
    command -v "$VIRTUOSO_T" >/dev/null || die "installed virtuoso-opensource but $VIRTUOSO_T is still missing"
    say "installed $(version) in $((SECONDS - started)) s"
}

# --- helpers ------------------------------------------------------------------------------------------

version() { "$VIRTUOSO_T" -? 2>&1 | grep -m1 -o 'Version [^ ]*' || true; }

pid_of() {  # the pid of the server of DIR, if it runs
    local pidfile=$1/virtuoso.pid pid
    [ -f "$pidfile" ] || return 1
    pid=$(cat "$pidfile")
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    # Guard against a recycled pid: it must be a virtuoso-t.
    grep -q virtuoso "/proc/$pid/cmdline" 2>/dev/null || return 1
    echo "$pid"
}

http_port_of() { cat "$1/http.port" 2>/dev/null; }
sql_port_of() { cat "$1/sql.port" 2>/dev/null; }

answers() {  # does the SPARQL endpoint on PORT answer a query?
    curl -fsS -m 2 -o /dev/null -H 'Accept: application/sparql-results+json' \
        --data-urlencode 'query=ASK {}' "http://127.0.0.1:$1/sparql" 2>/dev/null
}

isql() {  # isql DIR SQL: run SQL statements as DBA on the server of DIR
    "$ISQL" "127.0.0.1:$(sql_port_of "$1")" dba "$DBA_PASSWORD" VERBOSE=OFF BANNER=OFF PROMPT=OFF \
        ERRORS=STDOUT "EXEC=$2" </dev/null
}

# --- start --------------------------------------------------------------------------------------------

write_ini() {  # write_ini DIR HTTP_PORT SQL_PORT
    local db=$1/db
    cat >"$db/virtuoso.ini" <<EOF
; Written by scripts/virtuoso.sh: a small loopback-only Virtuoso for tests.
[Database]
DatabaseFile         = $db/virtuoso.db
ErrorLogFile         = $db/virtuoso.log
LockFile             = $db/virtuoso.lck
TransactionFile      = $db/virtuoso.trx
xa_persistent_file   = $db/virtuoso.pxa
ErrorLogLevel        = 7
FileExtend           = 200
MaxCheckpointRemap   = 2000
Striping             = 0
TempStorage          = TempDatabase

[TempDatabase]
DatabaseFile         = $db/virtuoso-temp.db
TransactionFile      = $db/virtuoso-temp.trx
MaxCheckpointRemap   = 2000
Striping             = 0

[Parameters]
ServerPort           = 127.0.0.1:$3
LiteMode             = 0
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 10
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
MaxStaticCursorRows  = 5000
CheckpointAuditTrail = 0
AllowOSCalls         = 0
SchedulerInterval    = 10
DirsAllowed          = ., $db, $1
ThreadCleanupInterval = 0
ThreadThreshold      = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize    = 100000
SingleCPU            = 0
VADInstallDir        = /usr/share/virtuoso-opensource-7/vad/
PrefixResultNames    = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps        = 64
MaxMemPoolSize       = 40000000
MacSpotlight         = 0
; 2 cores, 24 GB machine shared with other work: about 170 MB of buffers (8 KB pages).
NumberOfBuffers      = 20000
MaxDirtyBuffers      = 15000
MaxQueryMem          = 256M
AdjustVectorSize     = 0
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4

[HTTPServer]
ServerPort           = 127.0.0.1:$2
ServerRoot           = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
DavRoot              = DAV
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0
TempASPXDir          = 0
DefaultMailServer    = localhost:25
MaxKeepAlives        = 10
KeepAliveTimeout     = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize       = 280000
HttpPrintWarningsInOutput = 0
Charset              = UTF-8
MaintenancePage      = atomic.html
EnabledGzipContent   = 1

[AutoRepair]
BadParentLinks       = 0

[Client]
SQL_PREFETCH_ROWS    = 100
SQL_PREFETCH_BYTES   = 16000
SQL_QUERY_TIMEOUT    = 0
SQL_TXN_TIMEOUT      = 0

[VDB]
ArrayOptimization    = 0
NumArrayParameters   = 10
VDBDisconnectTimeout = 1000
KeepConnectionOnFixedThread = 0

[Replication]
ServerName           = gongzhi-test
ServerEnable         = 0

[Striping]
Segment1             = 100M, db-seg1-1.db, db-seg1-2.db

[Zero Config]
ServerName           = virtuoso (gongzhi-test)

[SPARQL]
; Above the service's own row cap (GONGZHI_MAX_ROWS, 100,000): the service refuses with a message,
; where this limit would cut an answer short without saying so.
ResultSetMaxRows     = 1000000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
DefaultQuery         = select distinct ?Concept where {[] a ?Concept} LIMIT 100
DeferInferenceRulesInit = 0
MaxSortedTopRows     = 10000
ShortenLongURIs      = 1

[Plugins]
LoadPath             = /usr/lib/x86_64-linux-gnu/virtuoso-opensource-7/hosting
EOF
}

system_graphs() {  # the graphs of a fresh database (Virtuoso's own: virtrdf#, ldp#, ...), one a line
    curl -fsS -m 10 -H 'Accept: text/csv' \
        --data-urlencode 'query=SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }' \
        "http://127.0.0.1:$(http_port_of "$1")/sparql" | tail -n +2 | tr -d '"\r'
}

grants() {  # what SPARQL 1.1 Update and the Graph Store protocol need, for the anonymous user
    # Both /sparql and /sparql-graph-crud run an unauthenticated request as the SQL user "SPARQL",
    # with the graph permissions of the web user 'nobody'.
    # - The role SPARQL_UPDATE lets "SPARQL" run SPARQL Update (INSERT/DELETE/LOAD/CLEAR...) and the
    #   graph-store PUT/POST/DELETE, which Virtuoso carries out as updates. In 7.2.5 this alone is
    #   enough (tested: update, GSP PUT, POST, GET and DELETE work with only this grant).
    # - The default graph of a query without FROM is the union of *all* graphs, Virtuoso's own
    #   included (virtrdf#: ~2,500 triples of RDF-view metadata). To make it the union of the data
    #   graphs, as with the embedded store, the graphs present in the fresh database go in the
    #   group of private graphs, and 'nobody' gets 0 (nothing) on private graphs and 7
    #   (read+write+list) on the others. The SPARQL compiler still reads virtrdf# through SQL.
    local graphs sql g
    graphs=$(system_graphs "$1") || { say "could not list the graphs of the fresh database"; return 1; }
    sql="GRANT SPARQL_UPDATE TO \"SPARQL\";
        DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);"
    while IFS= read -r g; do
        [ -n "$g" ] || continue
        say "making Virtuoso's own graph <$g> private (left out of the default graph)"
        sql="$sql
        DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', '$g');"
    done <<<"$graphs"
    sql="$sql
        DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
        DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7, 0);
        checkpoint;"
    isql "$1" "$sql" >"$1/grants.log" 2>&1 || { cat "$1/grants.log" >&2; return 1; }
    if grep -q '\*\*\* Error' "$1/grants.log"; then
        cat "$1/grants.log" >&2
        return 1
    fi
}

start() {
    local dir=$1 port=$2 pid
    [[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number, not '$port'"
    local sql_port=${VIRTUOSO_SQL_PORT:-$((port + 1))}
    install_virtuoso
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    if pid=$(pid_of "$dir"); then
        if [ "$(http_port_of "$dir")" = "$port" ] && answers "$port"; then
            say "already running in $dir (pid $pid) on http://127.0.0.1:$port/sparql"
            return
        fi
        say "a server of $dir runs on another port; stopping it first"
        stop "$dir"
    fi
    local started=$SECONDS
    say "creating a fresh database in $dir/db (HTTP 127.0.0.1:$port, SQL 127.0.0.1:$sql_port)"
    rm -rf "$dir/db"
    mkdir -p "$dir/db"
    write_ini "$dir" "$port" "$sql_port"
    echo "$port" >"$dir/http.port"
    echo "$sql_port" >"$dir/sql.port"
    say "starting $(command -v "$VIRTUOSO_T") ($(version)) in the background"
    # +foreground keeps it a child we can kill by pid (no daemonising, no system service).
    (cd "$dir/db" && exec "$VIRTUOSO_T" +foreground +configfile "$dir/db/virtuoso.ini" \
        >"$dir/virtuoso.out" 2>&1 </dev/null) &
    pid=$!
    echo "$pid" >"$dir/virtuoso.pid"
    local deadline=$((SECONDS + START_TIMEOUT))
    until answers "$port"; do
        if ! kill -0 "$pid" 2>/dev/null; then
            tail -n 30 "$dir/virtuoso.out" "$dir/db/virtuoso.log" >&2 2>/dev/null || true
            die "virtuoso-t exited while starting (log above)"
        fi
        if [ $SECONDS -ge $deadline ]; then
            tail -n 30 "$dir/db/virtuoso.log" >&2 2>/dev/null || true
            stop "$dir"
            die "the SPARQL endpoint did not answer within ${START_TIMEOUT}s"
        fi
        sleep 0.2
    done
    say "SPARQL endpoint answers after $((SECONDS - started)) s; granting update and graph-store rights to \"SPARQL\""
    grants "$dir" || { stop "$dir"; die "granting failed (above); stopped the server"; }
    say "running: pid $pid, http://127.0.0.1:$port/sparql, graph store http://127.0.0.1:$port/sparql-graph-crud ($((SECONDS - started)) s)"
}

# --- stop and status ----------------------------------------------------------------------------------

stop() {
    local dir=$1 pid
    [ -d "$dir" ] || { say "no directory $dir: nothing to stop"; return; }
    if ! pid=$(pid_of "$dir"); then
        say "not running in $dir"
        rm -f "$dir/virtuoso.pid"
        return
    fi
    say "stopping virtuoso-t (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        say "still running after 5 s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
        for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    kill -0 "$pid" 2>/dev/null && die "could not stop pid $pid"
    rm -f "$dir/virtuoso.pid"
    say "stopped"
}

status() {
    local dir=$1 pid port
    if pid=$(pid_of "$dir"); then
        port=$(http_port_of "$dir")
        if answers "$port"; then
            say "running in $dir: pid $pid, http://127.0.0.1:$port/sparql"
            return 0
        fi
        say "pid $pid runs in $dir but http://127.0.0.1:$port/sparql does not answer"
        return 1
    fi
    say "not running in $dir"
    return 1
}

[ $# -ge 2 ] || usage
case $1 in
    start) [ $# -eq 3 ] || usage; start "$2" "$3" ;;
    stop) [ $# -eq 2 ] || usage; stop "$2" ;;
    status) [ $# -eq 2 ] || usage; status "$2" ;;
    *) usage ;;
esac
