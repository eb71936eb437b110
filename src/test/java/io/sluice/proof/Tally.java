package io.sluice.proof;

import io.sluice.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The verdict of one scenario, the way Kafka's system tests and Jepsen count a total queue:
 * what the client sent and was told, against what is in {@code events}.
 *
 * <ul>
 *   <li>lost: acknowledged (2xx) and not stored: must be 0;
 *   <li>duplicated: rows beyond one per id: must be 0;
 *   <li>unexpected: stored and never sent: must be 0;
 *   <li>recovered: not acknowledged (503, timeout) and stored all the same: allowed, reported.
 * </ul>
 */
record Tally(
        String scenario,
        long sent,
        long acknowledged,
        long stored,
        long lost,
        long duplicated,
        long unexpected,
        long recovered,
        long reposted,
        List<String> lostExamples) {

    static final String HEADER = String.format(
            "%-22s %9s %12s %9s %6s %10s %10s %9s %9s",
            "scenario", "sent", "acknowledged", "stored", "lost", "duplicated", "unexpected", "recovered", "reposted");

    /** Counts the rows of {@code tenant} and {@code source} and compares them with {@code ledger}. */
    static Tally of(String scenario, Ledger ledger, String tenant, String source) throws SQLException {
        Map<String, Long> rowsPerId = rowsPerId(tenant, source);
        Set<String> sent = ledger.sent();
        Set<String> acknowledged = ledger.acknowledged();
        Set<String> lost = new HashSet<>(acknowledged);
        lost.removeAll(rowsPerId.keySet());
        long duplicated =
                rowsPerId.values().stream().mapToLong(rows -> rows - 1).sum();
        long unexpected =
                rowsPerId.keySet().stream().filter(id -> !sent.contains(id)).count();
        long recovered = rowsPerId.keySet().stream()
                .filter(id -> sent.contains(id) && !acknowledged.contains(id))
                .count();
        return new Tally(
                scenario,
                sent.size(),
                acknowledged.size(),
                rowsPerId.size(),
                lost.size(),
                duplicated,
                unexpected,
                recovered,
                ledger.reposted(),
                lost.stream().sorted().limit(10).toList());
    }

    private static Map<String, Long> rowsPerId(String tenant, String source) throws SQLException {
        Map<String, Long> rows = new HashMap<>();
        try (Connection db = TestDatabase.connect();
                var query = db.prepareStatement(
                        "SELECT event_id, count(*) FROM events WHERE tenant = ? AND source = ? GROUP BY event_id")) {
            query.setString(1, tenant);
            query.setString(2, source);
            try (ResultSet result = query.executeQuery()) {
                while (result.next()) {
                    rows.put(result.getString(1), result.getLong(2));
                }
            }
        }
        return rows;
    }

    String row() {
        return String.format(
                "%-22s %9d %12d %9d %6d %10d %10d %9d %9d",
                scenario, sent, acknowledged, stored, lost, duplicated, unexpected, recovered, reposted);
    }
}
