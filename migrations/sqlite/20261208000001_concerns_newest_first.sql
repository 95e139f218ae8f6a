-- The ledger's list is read newest first (`storage::concerns`, ORDER BY received_at DESC, seq DESC) a page at a
-- time: walked in this order, a page reads its fifty rows instead of sorting the whole ledger first. SQLite walks
-- it for a list over every region; for one scoped to a region it still prefers `concerns_region` and sorts what
-- that finds, which for a county's ledger is small.
CREATE INDEX concerns_newest_first ON concerns (received_at, seq);
