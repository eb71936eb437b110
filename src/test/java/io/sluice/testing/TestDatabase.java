package io.sluice.testing;

import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;

/** Direct JDBC looks at the tests' PostgreSQL database, past the application, as a DBA would look. */
public final class TestDatabase {

    private TestDatabase() {}

    public static Connection connect() throws SQLException {
        URI url = URI.create(LocalStackResource.sharedConfig().get("quarkus.datasource.reactive.url"));
        return DriverManager.getConnection("jdbc:" + url, "postgres", "");
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
