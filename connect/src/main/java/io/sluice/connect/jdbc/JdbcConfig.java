package io.sluice.connect.jdbc;

import io.sluice.connect.ConfigDef;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The keys both JDBC connectors take, and their connection.
 */
final class JdbcConfig
{
    static final String URL = "connection.url";
    static final String USER = "connection.user";
    static final String PASSWORD = "connection.password";
    /** Table and column names are identifiers, quoted when written into SQL: letters, digits, _ and $ only. */
    static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_$]{0,62}");

    static final ConfigDef CONNECTION = new ConfigDef()
        .define(URL, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT, (v) -> ((String)v).startsWith("jdbc:"),
            "a jdbc: URL", "the database, for example jdbc:postgresql://127.0.0.1:5432/db")
        .define(USER, ConfigDef.Type.STRING, "", "the user")
        .define(PASSWORD, ConfigDef.Type.STRING, "", "the password");

    private JdbcConfig()
    {
    }

    static boolean identifier(final Object value)
    {
        return IDENTIFIER.matcher((String)value).matches();
    }

    static Connection connect(final Map<String, Object> values) throws SQLException
    {
        return DriverManager.getConnection((String)values.get(URL), (String)values.get(USER),
            (String)values.get(PASSWORD));
    }

    static String quote(final String identifier)
    {
        return '"' + identifier + '"';
    }
}
