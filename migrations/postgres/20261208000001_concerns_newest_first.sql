-- The ledger's list is read newest first (`storage::concerns`, ORDER BY received_at DESC, seq DESC) a page at a
-- time: walked in this order, a page reads its fifty rows instead of sorting every concern in scope first
-- (12–16 ms → 0.1 ms a page at 37 000 concerns, docs/benchmarks.md, soak). The planner still takes
-- `concerns_region` when a scope holds a small part of the ledger.
CREATE INDEX concerns_newest_first ON concerns (received_at, seq);
