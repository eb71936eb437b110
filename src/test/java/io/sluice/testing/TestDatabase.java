package io.sluice.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Direct JDBC looks at the tests' PostgreSQL database, past the application, as a DBA would look. */
public final class TestDatabase {

    private TestDatabase() {}

    public static Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:" + url(), "postgres", "");
    }

    /** The tests' database, as the application's reactive URL names it ({@code postgresql://host:port/name}). */
    public static String url() {
        return LocalStackResource.sharedConfig().get("quarkus.datasource.reactive.url");
    }

    /** The single number {@code sql} answers, its parameters bound in order. */
    public static long count(String sql, Object... parameters) throws SQLException {
        try (Connection db = connect();
                var query = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setObject(i + 1, parameters[i]);
            }
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }
}
