# shellcheck shell=bash disable=SC2154 # result: set by capture-mariadb-gtid.sh's sql
# The histories tools/capture-mariadb-gtid.sh plays on real servers, one function each (sourced;
# uses its start, sql, writes, replicate, catch_up, capture, expect and write_fixture). Server ids
# follow the component: pod N is 100 + N; A plays pod 0, B pod 1; C a second pod 0.

# shellcheck disable=SC2034 # read by capture-mariadb-gtid.sh
ALL_SCENARIOS=(replication multi-domain failover errant reseed delete-domain same-origin-reuse large-seq)

# a primary and a replica, caught up, behind, caught up again
scenario_replication() {
  start A 100; start B 101
  capture A empty; capture B empty
  expect same A@empty B@empty "two new servers, nothing written"
  writes A 3
  sql B "SET GLOBAL read_only = ON;"
  replicate B A; catch_up B A
  capture A caught-up; capture B caught-up
  expect same A@caught-up B@caught-up "B applied A's binlog position and nothing was written since"
  sql B "STOP SLAVE;"
  writes A 2
  capture A ahead; capture B behind
  expect behind B@behind A@ahead "A wrote 2 transactions while B's replication was stopped"
  sql B "START SLAVE;"; catch_up B A
  capture A caught-up-again; capture B caught-up-again
  expect same A@caught-up-again B@caught-up-again "B applied A's binlog position and nothing was written since"
  write_fixture replication "A (server 100) primary, B (101) replica by GTID (master_use_gtid = slave_pos): captures of both empty, caught up, B behind, caught up again"
}

# pod 0 writing in a new domain per start: domains 0, 1, 2 on one server, one replica; then domains
# of the size a random per-start domain id has (up to 2^32 - 1, the largest gtid_domain_id)
scenario_multi_domain() {
  start A 100; start B 101
  writes A 2
  sql A "SET GLOBAL gtid_domain_id = 1;"; writes A 2
  sql A "SET GLOBAL gtid_domain_id = 1565221165;"; writes A 1
  replicate B A; catch_up B A
  capture A three-domains; capture B three-domains
  expect same A@three-domains B@three-domains "B applied A's binlog position and nothing was written since"
  sql B "STOP SLAVE;"
  sql A "SET GLOBAL gtid_domain_id = 4294967295;"; writes A 1
  sql A "SET GLOBAL gtid_domain_id = 1;"; writes A 1
  capture A five-writes-later; capture B behind
  expect behind B@behind A@five-writes-later "A wrote in a new domain 4294967295 and in domain 1 while B's replication was stopped"
  expect behind A@three-domains A@five-writes-later "A only wrote in between"
  sql B "START SLAVE;"; catch_up B A
  capture A four-domains; capture B four-domains
  expect same A@four-domains B@four-domains "B applied A's binlog position and nothing was written since"
  write_fixture multi-domain "A (server 100) writes in domains 0, 1, 1565221165 (SET GLOBAL gtid_domain_id), B (101) replicates; then A writes in a new domain 4294967295 and in 1 while B is stopped; B catches up"
}

# a failover and back in domain 0 (several servers in one domain), then a new domain at the next promotion
scenario_failover() {
  start A 100; start B 101
  writes A 3
  replicate B A; catch_up B A
  # B promoted: A is lost for a while, then follows B
  sql B "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF;"
  writes B 2
  capture B promoted-primary
  sql A "SET GLOBAL read_only = ON; SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos;"
  replicate A B; catch_up A B
  capture A replica-of-B; capture B primary-of-A
  expect same A@replica-of-B B@primary-of-A "A applied B's binlog position and nothing was written since"
  # back: A primary again in domain 0, B follows it
  sql A "STOP SLAVE; RESET SLAVE ALL; SET GLOBAL read_only = OFF;"
  writes A 2
  sql B "SET GLOBAL read_only = ON; SET GLOBAL gtid_slave_pos = @@GLOBAL.gtid_binlog_pos;"
  replicate B A; catch_up B A
  capture A primary-again; capture B replica-again
  expect same A@primary-again B@replica-again "B applied A's binlog position and nothing was written since"
  expect behind B@promoted-primary A@primary-again "A's history holds B's writes and 2 more of its own"
  # the next promotion of A in a new domain (rule 11: one domain per start of pod 0)
  sql A "SET GLOBAL gtid_domain_id = 1;"; writes A 2
  catch_up B A
  capture A new-domain; capture B new-domain
  expect same A@new-domain B@new-domain "B applied A's binlog position and nothing was written since"
  write_fixture failover "domain 0 written by A (100), then by B (101) promoted while A follows it, then by A again while B follows; then A writes in a new domain 1"
}

# errant transaction on a replica, then both sides writing the same seq_no with different server ids
scenario_errant() {
  start A 100; start B 101
  writes A 3
  sql B "SET GLOBAL read_only = ON;"
  replicate B A; catch_up B A
  sql B "STOP SLAVE;"
  # an errant write (root ignores read_only)
  writes B 1
  capture A primary; capture B errant
  expect behind A@primary B@errant "B wrote a transaction of its own after applying all of A's"
  writes A 1
  capture A same-seq-no; capture B errant-again
  expect diverged A@same-seq-no B@errant-again "A and B each wrote the next transaction of domain 0 on their own"
  sql B "START SLAVE;"
  local tries=0
  until [[ $(client B -E -e 'SHOW SLAVE STATUS' | sed -n 's/^ *Slave_SQL_Running: //p') == No ]]; do
    ((++tries < 100)) || { log "B's applier did not stop"; return 1; }
    sleep 0.1
  done
  local status
  status=$(client B -E -e 'SHOW SLAVE STATUS' | sed -n 's/^ *\(Slave_IO_Running\|Slave_SQL_Running\|Last_SQL_Errno\|Last_SQL_Error\): /\1: /p')
  history+=("$(jq -n --arg status "$status" '{on: "B", sql: "SHOW SLAVE STATUS", result: $status}')")
  capture B applier-stopped
  expect diverged A@same-seq-no B@applier-stopped "B's applier refused A's transaction; nothing was applied"
  write_fixture errant "A (100) primary, B (101) replica caught up; B writes an errant transaction, then A writes the same seq_no; B's replication (gtid_strict_mode) then stops"
}

# a re-seeded pod 0 (replication.sh seeded_primary_sql): RESET MASTER, then the donor's state set
scenario_reseed() {
  start A 100; start B 101
  writes A 2
  sql A "SET GLOBAL gtid_domain_id = 1;"; writes A 2
  replicate B A; catch_up B A
  capture B donor
  stop A
  start C 100
  local state slave_pos
  state=$(client B -N -B -e 'SELECT @@GLOBAL.gtid_binlog_state') slave_pos=$(client B -N -B -e 'SELECT @@GLOBAL.gtid_slave_pos')
  capture C fresh
  expect behind C@fresh B@donor "C is a new server"
  sql C "RESET MASTER; SET GLOBAL gtid_binlog_state = '$state'; SET GLOBAL gtid_slave_pos = '$slave_pos';"
  capture C re-seeded
  expect same C@re-seeded B@donor "C's states were set to B's (the data itself is not copied here)"
  sql B "STOP SLAVE; RESET SLAVE ALL;"
  sql C "SET GLOBAL gtid_domain_id = 2;"; writes C 2
  replicate B C; catch_up B C
  capture C primary; capture B replica-of-C
  expect same C@primary B@replica-of-C "B applied C's binlog position and nothing was written since"
  write_fixture reseed "A (100) writes in domains 0 and 1, B (101) replicates; A is lost; C (a new pod 0, server 100) runs RESET MASTER and SET GLOBAL gtid_binlog_state / gtid_slave_pos to B's, then writes in domain 2 and B follows C"
}

# purge_binlogs SERVER: rotates and purges every older binary log; PURGE skips a log until the
# binlog checkpoint after the rotation has passed it, so it is repeated until only one is left
purge_binlogs() {
  local tries=0 current
  sql "$1" "FLUSH BINARY LOGS;"
  until current=$(client "$1" -N -B -e 'SHOW MASTER STATUS' | cut -f1) &&
    client "$1" -N -B -e "PURGE BINARY LOGS TO '$current'" && [[ $(client "$1" -N -B -e 'SHOW BINARY LOGS' | wc -l) == 1 ]]; do
    ((++tries < 100)) || { log "$1 kept its older binary logs"; return 1; }
    sleep 0.1
  done
  history+=("$(jq -n --arg on "$1" --arg sql "PURGE BINARY LOGS TO '$current';" '{on: $on, sql: $sql,
    note: "repeated until SHOW BINARY LOGS listed only this log (the binlog checkpoint after FLUSH BINARY LOGS is asynchronous)"}')")
}

# FLUSH BINARY LOGS DELETE_DOMAIN_ID on the primary only, then on the replica too
scenario_delete_domain() {
  start A 100; start B 101
  writes A 1
  sql A "SET GLOBAL gtid_domain_id = 1;"; writes A 2
  sql A "SET GLOBAL gtid_domain_id = 2;"; writes A 1
  replicate B A; catch_up B A
  sql B "STOP SLAVE;"
  capture A before; capture B before
  expect same A@before B@before "B applied A's binlog position and nothing was written since"
  sql_error A "FLUSH BINARY LOGS DELETE_DOMAIN_ID = (1);"
  # PURGE skips a binary log a dump thread still reads: wait for B's to end
  local tries=0
  until [[ $(client A -N -B -e "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'") == 0 ]]; do
    ((++tries < 100)) || { log "A's binlog dump thread did not end"; return 1; }
    sleep 0.1
  done
  purge_binlogs A
  sql A "FLUSH BINARY LOGS DELETE_DOMAIN_ID = (1);"
  capture A domain-1-deleted
  expect behind A@domain-1-deleted B@before "A's binlog state forgot domain 1 (its rows stay): nothing may count domain 1 as A's any more, so B holds what A lacks"
  purge_binlogs B
  sql B "FLUSH BINARY LOGS DELETE_DOMAIN_ID = (1);"
  capture B domain-1-deleted
  expect behind A@domain-1-deleted B@domain-1-deleted "B's binlog state forgot domain 1 too, its gtid_slave_pos did not: B still names domain 1"
  write_fixture delete-domain "A (100) writes in domains 0, 1, 2, B (101) replicates and stops; DELETE_DOMAIN_ID = (1) fails while a binlog holds it, works after PURGE, on A then on B"
}

# a second pod 0 with the same server id re-using numbers: the same text, other transactions
scenario_same_origin_reuse() {
  start A 100; start B 101
  writes A 3
  replicate B A; catch_up B A
  sql B "STOP SLAVE;"
  writes A 1
  capture A lost-primary
  stop A
  start C 100
  sql C "RESET MASTER; SET GLOBAL gtid_binlog_state = '$(client B -N -B -e 'SELECT @@GLOBAL.gtid_binlog_state')';"
  writes C 1
  capture C same-domain
  expect same-text-diverged A@lost-primary C@same-domain "C re-used server 100's next number in domain 0 for another transaction"
  sql C "RESET MASTER; SET GLOBAL gtid_binlog_state = '$(client B -N -B -e 'SELECT @@GLOBAL.gtid_binlog_state')'; SET GLOBAL gtid_domain_id = 1;"
  writes C 1
  capture C new-domain
  expect diverged A@lost-primary C@new-domain "C wrote in a new domain, A's last transaction is not in C"
  write_fixture same-origin-reuse "A (100) writes 3, B (101) applies them and stops, A writes a 4th; A is lost; C (a new pod 0, server 100) takes B's state and writes: in domain 0 its GTID equals A's lost one, in a new domain 1 it does not"
}

# sequence numbers beyond 2^53 (64-bit in MariaDB): exact arithmetic or a refusal
scenario_large_seq() {
  start A 100; start B 101
  sql A "SET SESSION gtid_seq_no = 9007199254740992; INSERT INTO capture.t_A (note) VALUES ('A');"
  replicate B A; catch_up B A
  sql B "STOP SLAVE;"
  capture B behind
  writes A 1
  capture A ahead
  expect behind B@behind A@ahead "A wrote one more transaction (seq_no 2^53 + 1) while B's replication was stopped"
  write_fixture large-seq "A (100) jumps to seq_no 2^53 (SET SESSION gtid_seq_no), B (101) applies it and stops; A writes 2^53 + 1"
}
