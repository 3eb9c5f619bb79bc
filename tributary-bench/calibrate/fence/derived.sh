# Sourced by run.sh, exectime.sh, wal.sh: the path of a script, writing the ones derived from
# another by one change (so that the two stay one text) into a temporary directory first.
DERIVED=${DERIVED:-$(mktemp -d "${TMPDIR:-/tmp}/fence-derived.XXXXXX")}
script_file() {
  case "$1" in
    # (c0) lockfn with the position read from the statement's own snapshot: NOT correct
    lock1) sed -e 's/:client_id + 24/:client_id + 16/' \
             -e 's/coalesce(cal_fresh_last_pos(s.id), s.last_pos)/coalesce((SELECT max(f.pos) FROM tb_frame f WHERE f.stream_id = s.id), s.last_pos)/' \
             "$HERE/lockfn.sql" > "$DERIVED/lock1.sql"; echo "$DERIVED/lock1.sql" ;;
    *) echo "$HERE/$1.sql" ;;
  esac
}
