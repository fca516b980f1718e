package io.sluice.connect.runtime;

import io.sluice.client.ConsumerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.ProducerOptions;
import io.sluice.client.Serdes;
import io.sluice.client.SluiceClient;
import io.sluice.client.TopicPartition;
import io.sluice.connect.ConfigException;
import io.sluice.connect.Converter;
import io.sluice.connect.FlakySinkConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The standalone runtime and the file connectors against a broker in this JVM.
 */
class StandaloneRunnerTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    File directory;

    private ConnectTestBroker cluster;
    private SluiceClient client;

    @BeforeEach
    void launch()
    {
        cluster = new ConnectTestBroker(directory);
        client = cluster.client;
    }

    @AfterEach
    void close()
    {
        cluster.close();
    }

    private static Map<String, String> source(final String name, final File file, final String topic)
    {
        return Map.of("name", name, "connector.class", "FileStreamSource", "file", file.getPath(), "topic", topic);
    }

    private static Map<String, String> sink(final String name, final File file, final String topics)
    {
        return Map.of("name", name, "connector.class", "FileStreamSink", "file", file.getPath(), "topics", topics);
    }

    private static List<String> lines(final int from, final int to)
    {
        return IntStream.range(from, to).mapToObj((i) -> "line " + i + " " + "é".repeat(i % 3)).toList();
    }

    private static void append(final File file, final List<String> lines) throws IOException
    {
        Files.writeString(file.toPath(), String.join("\n", lines) + "\n", StandardCharsets.UTF_8,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static List<String> read(final File file)
    {
        try
        {
            return file.exists() ? Files.readAllLines(file.toPath(), StandardCharsets.UTF_8) : List.of();
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void shouldCopyAFileThroughATopicIntoAnotherFileAndReportItsStatus() throws Exception
    {
        final File in = new File(directory, "in.txt");
        final File out = new File(directory, "out.txt");
        append(in, lines(0, 1000));
        final StandaloneRunner runner = cluster.start(List.of(source("reader", in, "lines"), sink("writer", out, "lines")));
        ConnectTestBroker.await(() -> read(out).size() == 1000, () -> read(out).size() + " lines written");
        assertEquals(lines(0, 1000), read(out));

        append(in, lines(1000, 1010));
        ConnectTestBroker.await(() -> read(out).size() == 1010, () -> read(out).size() + " lines written");
        assertEquals(lines(0, 1010), read(out));

        final HttpResponse<String> status = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + runner.statusPort() + "/connectors")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"name\":\"reader\"") && status.body().contains("\"type\":\"sink\"") &&
            status.body().contains("\"state\":\"RUNNING\""), status.body());
        assertEquals(List.of("RUNNING", "RUNNING"), runner.status().stream().map(ConnectorStatus::state).toList());
    }

    /**
     * A runner stopped mid-stream stores the offsets of what the topic acknowledged; the next one resumes after
     * them: every line once, in order.
     */
    @Test
    void shouldResumeWithoutLossOrDuplicatesWhenRestartedMidStream() throws Exception
    {
        final File in = new File(directory, "in.txt");
        append(in, lines(0, 500));
        StandaloneRunner runner = cluster.start(List.of(source("reader", in, "lines")));
        ConnectTestBroker.await(() -> cluster.topic("lines").size() == 500, () -> cluster.topic("lines").size() + " records");
        cluster.stop(runner);

        append(in, lines(500, 1000));
        runner = cluster.start(List.of(source("reader", in, "lines")));
        ConnectTestBroker.await(() -> cluster.topic("lines").size() >= 1000, () -> cluster.topic("lines").size() + " records");
        Thread.sleep(300); // nothing more comes
        assertEquals(lines(0, 1000), cluster.topic("lines"));
        assertEquals("RUNNING", runner.status().get(0).state());
    }

    @Test
    void shouldFollowTheFileWhenItIsRotated() throws Exception
    {
        final File in = new File(directory, "in.txt");
        append(in, lines(0, 100));
        cluster.start(List.of(source("reader", in, "lines")));
        ConnectTestBroker.await(() -> cluster.topic("lines").size() == 100, () -> cluster.topic("lines").size() + " records");

        append(in, lines(100, 120)); // written just before the rotation: read from the old file
        Files.move(in.toPath(), new File(directory, "in.txt.1").toPath());
        append(in, lines(120, 150));
        ConnectTestBroker.await(() -> cluster.topic("lines").size() >= 150, () -> cluster.topic("lines").size() + " records");
        assertEquals(lines(0, 150), cluster.topic("lines"));
    }

    @Test
    void shouldRetryASinkBatchThatFailedHalfWayAndCommitOnlyAfterIt()
    {
        FlakySinkConnector.STORED.clear();
        FlakySinkConnector.PUTS.set(0);
        FlakySinkConnector.FAILURES.set(0);
        client.admin().createTopic("orders", 1, 1, Map.of()).block(TIMEOUT);
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.range(0, 100).map((i) -> ProducerRecord.of("orders", "k" + i, "v" + i)))
            .blockLast(TIMEOUT);

        cluster.start(List.of(Map.of("name", "flaky", "connector.class", FlakySinkConnector.class.getName(),
            "topics", "orders", "errors.retry.backoff.ms", "10")));
        ConnectTestBroker.await(() -> FlakySinkConnector.STORED.size() == 100, () -> FlakySinkConnector.STORED.size() + " stored");
        assertEquals(1, FlakySinkConnector.FAILURES.get());
        assertTrue(FlakySinkConnector.PUTS.get() >= 2, "the failed batch was put again");
        for (int i = 0; i < 100; i++)
        {
            assertEquals("v" + i, FlakySinkConnector.STORED.get((long)i));
        }
        final TopicPartition tp = new TopicPartition("orders", 0);
        ConnectTestBroker.await(() -> client.admin().committedOffset("connect-flaky", tp).block(TIMEOUT) == 100,
            () -> "committed " + client.admin().committedOffset("connect-flaky", tp).block(TIMEOUT));
    }

    @Test
    void shouldRefuseABadConfigurationNamingTheKeyAndStartNothing()
    {
        final File in = new File(directory, "in.txt");
        assertKey("file", Map.of("name", "r", "connector.class", "FileStreamSource", "topic", "t"));
        assertKey("tasks.max", with(source("r", in, "t"), "tasks.max", "0"));
        assertKey("tasks.max", with(source("r", in, "t"), "tasks.max", "many"));
        assertKey("value.converter", with(source("r", in, "t"), "value.converter", "xml"));
        assertKey("errors.tolerance", with(source("r", in, "t"), "errors.tolerance", "some"));
        assertKey("batch.size", with(source("r", in, "t"), "batch.size", "-1"));
        assertKey("connector.class", with(source("r", in, "t"), "connector.class", "no.such.Connector"));
        assertKey("connector.class", with(source("r", in, "t"), "connector.class", String.class.getName()));
        assertKey("name", with(source("r", in, "t"), "name", "has space"));
        assertKey("topics", Map.of("name", "w", "connector.class", "FileStreamSink", "file", "out.txt"));
        final ConfigException duplicate = assertThrows(ConfigException.class, () -> StandaloneRunner.start(cluster.worker(),
            List.of(source("r", in, "t"), source("r", in, "u"))));
        assertEquals("name", duplicate.key());
        final ConfigException worker = assertThrows(ConfigException.class, () -> StandaloneRunner.start(
            Map.of("status.port", "0"), List.of(source("r", in, "t"))));
        assertEquals("bootstrap.servers", worker.key());
        assertTrue(worker.getMessage().contains("missing required configuration 'bootstrap.servers'"),
            worker.getMessage());
    }

    private void assertKey(final String key, final Map<String, String> connector)
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> StandaloneRunner.start(cluster.worker(), List.of(connector)));
        assertEquals(key, ex.key(), ex.getMessage());
        assertTrue(ex.getMessage().contains("'" + key + "'"), ex.getMessage());
    }

    private static Map<String, String> with(final Map<String, String> base, final String key, final String value)
    {
        final Map<String, String> copy = new HashMap<>(base);
        copy.put(key, value);
        return copy;
    }

    @Test
    void shouldConvertJsonAndTextBothWays()
    {
        final Map<String, Object> row = Map.of("id", 7, "name", "Ada", "tags", List.of("a", "b"), "ok", true);
        assertEquals(row, Converter.JSON.toConnectData("t", Converter.JSON.fromConnectData("t", row)));
        assertEquals("héllo", Converter.STRING.toConnectData("t", Converter.STRING.fromConnectData("t", "héllo")));
        assertEquals(null, Converter.JSON.fromConnectData("t", null));
        assertThrows(io.sluice.connect.DataException.class, () -> Converter.JSON.toConnectData("t",
            "{not json".getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * A broker that requires SCRAM-SHA-256: a worker with {@code client.username} and {@code client.password.file}
     * runs its connector there; the two keys go together.
     */
    @Test
    void shouldAuthenticateAsTheWorkersUser() throws Exception
    {
        final File credentials = new File(directory, "credentials");
        io.sluice.transport.auth.CredentialsFile.write(credentials.toPath(), Map.of("connect",
            io.sluice.transport.auth.ScramCredential.create("connect-secret".toCharArray(),
                io.sluice.transport.auth.ScramCredential.MIN_ITERATIONS, new java.security.SecureRandom())));
        final File password = new File(directory, "connect.password");
        Files.writeString(password.toPath(), "connect-secret\n", StandardCharsets.UTF_8);
        try (io.sluice.broker.SluiceBroker secured = io.sluice.broker.SluiceBroker.launch(
            new io.sluice.broker.SluiceBroker.Context()
                .dataDirectory(new File(directory, "secured"))
                .listen("127.0.0.1:0")
                .clientTermLength(1024 * 1024)
                .authentication(io.sluice.broker.SluiceBroker.Authentication.SCRAM_SHA_256)
                .credentialsFile(credentials)
                .logDefault(io.sluice.engine.LogConfig.MAX_MESSAGE_BYTES, String.valueOf(64 * 1024))
                .logDefault(io.sluice.engine.LogConfig.PRETOUCH_BYTES, "0"));
            SluiceClient reader = SluiceClient.create(io.sluice.client.ClientOptions.create(secured.listenEndpoint())
                .withAeronDirectoryName(secured.aeronDirectoryName())
                .withCredentials("connect", "connect-secret".toCharArray())))
        {
            final Map<String, String> worker = Map.of("bootstrap.servers", secured.listenEndpoint(), "status.port",
                "-1", "client.username", "connect", "client.password.file", password.getPath());
            final Map<String, String> ticks = Map.of("name", "ticks", "connector.class",
                io.sluice.connect.example.TickSourceConnector.class.getName(), "topic", "ticks", "count", "25");
            try (StandaloneRunner runner = StandaloneRunner.start(worker, List.of(ticks)))
            {
                ConnectTestBroker.await(() -> highWatermark(reader, "ticks") == 25, () -> "25 ticks in");
                assertTrue(runner.status().toString().contains("ticks"), runner.status().toString());
            }
            final ConfigException alone = assertThrows(ConfigException.class, () -> StandaloneRunner.start(
                Map.of("bootstrap.servers", secured.listenEndpoint(), "client.username", "connect"), List.of(ticks)));
            assertEquals("client.password.file", alone.key());
        }
    }

    private static long highWatermark(final SluiceClient client, final String topic)
    {
        try
        {
            return client.admin().describeTopic(topic).block(TIMEOUT).partitions().get(0).highWatermark();
        }
        catch (final io.sluice.client.SluiceException ex)
        {
            return -1;
        }
    }

    /**
     * The README's example connector, run twice: the second run resumes after the ticks the first stored.
     */
    @Test
    void shouldRunTheReadmeExampleConnectorAndResumeIt()
    {
        final Map<String, String> ticks = Map.of("name", "ticks", "connector.class",
            io.sluice.connect.example.TickSourceConnector.class.getName(), "topic", "ticks", "count", "250");
        StandaloneRunner runner = cluster.start(List.of(ticks));
        ConnectTestBroker.await(() -> cluster.topic("ticks").size() == 250, () -> cluster.topic("ticks").size() + " ticks");
        cluster.stop(runner);
        runner = cluster.start(List.of(with(ticks, "count", "300")));
        ConnectTestBroker.await(() -> cluster.topic("ticks").size() >= 300, () -> cluster.topic("ticks").size() + " ticks");
        assertEquals(IntStream.range(0, 300).mapToObj((i) -> "tick " + i).toList(), cluster.topic("ticks"));
    }

    @Test
    void shouldApplyTransformsToSourceAndSinkRecords() throws Exception
    {
        final File in = new File(directory, "in.txt");
        append(in, List.of("keep 1", "drop 2", "keep 3"));
        final Map<String, String> source = new HashMap<>(source("reader", in, "lines"));
        source.putAll(Map.of("transforms", "only-keep,route", "transforms.only-keep.type", "Filter",
            "transforms.only-keep.pattern", "keep.*", "transforms.route.type", "RegexRouter",
            "transforms.route.regex", "lines", "transforms.route.replacement", "kept-lines"));
        cluster.start(List.of(source));
        ConnectTestBroker.await(() -> cluster.topic("kept-lines").size() == 2, () -> cluster.topic("kept-lines").toString());
        assertEquals(List.of("keep 1", "keep 3"), cluster.topic("kept-lines"));

        io.sluice.connect.CollectingSinkConnector.RECORDS.clear();
        client.admin().createTopic("people", 1, 1, Map.of()).block(TIMEOUT);
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.just(ProducerRecord.of("people", null, "{\"id\":1,\"name\":\"Ada\",\"password\":\"x\"}")))
            .blockLast(TIMEOUT);
        final Map<String, String> sink = new HashMap<>(Map.of("name", "collect", "connector.class",
            io.sluice.connect.CollectingSinkConnector.class.getName(), "topics", "people", "value.converter", "json",
            "transforms", "rename,drop,stamp"));
        sink.putAll(Map.of("transforms.rename.type", "RenameField", "transforms.rename.renames", "name:full_name",
            "transforms.drop.type", "DropField", "transforms.drop.fields", "password",
            "transforms.stamp.type", "InsertTimestamp", "transforms.stamp.field", "at"));
        cluster.start(List.of(sink));
        ConnectTestBroker.await(() -> io.sluice.connect.CollectingSinkConnector.RECORDS.size() == 1, () -> "collected");
        final Map<?, ?> value = (Map<?, ?>)io.sluice.connect.CollectingSinkConnector.RECORDS.get(0).value();
        assertEquals(List.of("id", "full_name", "at"), List.copyOf(value.keySet()));
        assertEquals("Ada", value.get("full_name"));

        final Map<String, String> bad = new HashMap<>(source);
        bad.put("transforms.route.regex", "(");
        assertEquals("transforms.route.regex", assertThrows(ConfigException.class,
            () -> StandaloneRunner.start(cluster.worker(), List.of(bad))).key());
        bad.remove("transforms.route.type");
        assertEquals("transforms.route.type", assertThrows(ConfigException.class,
            () -> StandaloneRunner.start(cluster.worker(), List.of(bad))).key());
    }

    /**
     * With errors.tolerance=all and a dead-letter topic, a record the sink cannot convert goes there as it was read,
     * with where it came from and the error in headers; the others are delivered.
     */
    @Test
    void shouldSendWhatASinkCannotTakeToTheDeadLetterTopicWithTheErrorInHeaders()
    {
        io.sluice.connect.CollectingSinkConnector.RECORDS.clear();
        client.admin().createTopic("events", 1, 1, Map.of()).block(TIMEOUT);
        client.producer(ProducerOptions.create(Serdes.stringSerializer(), Serdes.stringSerializer()))
            .send(Flux.just("{\"n\":1}", "{oops", "{\"n\":3}").map((v) -> ProducerRecord.of("events", "k", v)))
            .blockLast(TIMEOUT);
        cluster.start(List.of(Map.of("name", "collect", "connector.class",
            io.sluice.connect.CollectingSinkConnector.class.getName(), "topics", "events", "value.converter", "json",
            "errors.tolerance", "all", "errors.deadletterqueue.topic.name", "events-dlq")));
        ConnectTestBroker.await(() -> io.sluice.connect.CollectingSinkConnector.RECORDS.size() == 2, () -> "collected");
        ConnectTestBroker.await(() -> cluster.topic("events-dlq").size() == 1, () -> "dead letters: " + cluster.topic("events-dlq"));
        assertEquals(List.of("{oops"), cluster.topic("events-dlq"));

        final TopicPartition tp = new TopicPartition("events-dlq", 0);
        final List<io.sluice.client.Header> headers = client.consumer(ConsumerOptions.create(
                Serdes.bytesDeserializer(), Serdes.stringDeserializer()).withAssignment(tp)
                .withSeek(tp, ConsumerOptions.BEGINNING))
            .receiveAutoAck().take(1).blockFirst(TIMEOUT).headers();
        final Map<String, String> byKey = new HashMap<>();
        headers.forEach((h) -> byKey.put(h.key(), h.valueAsString()));
        assertEquals("events", byKey.get("__connect.errors.topic"));
        assertEquals("1", byKey.get("__connect.errors.offset"));
        assertEquals("collect", byKey.get("__connect.errors.connector.name"));
        assertEquals(io.sluice.connect.DataException.class.getName(), byKey.get("__connect.errors.exception.class.name"));
        assertTrue(byKey.get("__connect.errors.exception.message").contains("not JSON"), byKey.toString());

        final Map<String, String> strict = Map.of("name", "strict", "connector.class",
            io.sluice.connect.CollectingSinkConnector.class.getName(), "topics", "events",
            "errors.deadletterqueue.topic.name", "events-dlq");
        assertEquals("errors.deadletterqueue.topic.name", assertThrows(ConfigException.class,
            () -> StandaloneRunner.start(cluster.worker(), List.of(strict))).key());
    }
}
