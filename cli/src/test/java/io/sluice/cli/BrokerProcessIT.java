package io.sluice.cli;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.FetchedRecords;
import io.sluice.transport.TopicDescription;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker in a child JVM, driven by the {@code sluice} command in other child JVMs and by a client in this one.
 */
class BrokerProcessIT
{
    private static final Pattern READY =
        Pattern.compile("ready: clients connect to (\\S+), data in .*, aeron dir (\\S+)");
    private static final int TERM_LENGTH = 1024 * 1024;

    @TempDir
    File workDirectory;

    private final List<ChildProcess> children = new ArrayList<>();
    private final List<String> aeronDirectories = new ArrayList<>();

    private record Broker(ChildProcess process, String endpoint, String aeronDirectory)
    {
    }

    @AfterEach
    void stopEverything() throws InterruptedException
    {
        for (final ChildProcess child : children)
        {
            child.close();
        }
        for (final String directory : aeronDirectories)
        {
            IoUtil.delete(new File(directory), true); // a SIGKILLed driver cannot remove its own
        }
    }

    private Broker startBroker(final File dataDirectory) throws IOException, InterruptedException
    {
        final ChildProcess process = ChildProcess.start(workDirectory, null, "broker",
            "--listen", "127.0.0.1:0",
            "--data-dir", dataDirectory.getPath(),
            "--override", "client.term.length=" + TERM_LENGTH,
            "--override", "log.segment.bytes=1048576",
            "--override", "log.segment.index.bytes=65536",
            "--override", "log.max.message.bytes=65536",
            "--override", "log.pretouch.bytes=0");
        children.add(process);
        final String line = process.awaitLine("ready", 60, TimeUnit.SECONDS);
        final Matcher matcher = READY.matcher(line);
        assertTrue(matcher.find(), line);
        aeronDirectories.add(matcher.group(2));
        return new Broker(process, matcher.group(1), matcher.group(2));
    }

    private ChildProcess sluice(final File input, final String... args) throws IOException
    {
        final ChildProcess process = ChildProcess.start(workDirectory, input, args);
        children.add(process);
        return process;
    }

    @Test
    void shouldRunTheQuickstartAcrossProcesses() throws Exception
    {
        final Broker broker = startBroker(new File(workDirectory, "data"));
        final String bootstrap = broker.endpoint();

        final ChildProcess create = sluice(null, "topics", "create", "--bootstrap", bootstrap, "--topic", "quotes",
            "--partitions", "3", "--config", "retention.ms=3600000");
        assertEquals(0, create.await(60, TimeUnit.SECONDS), create.stderr());
        assertTrue(create.stdout().contains("Created topic quotes with 3 partitions"), create.stdout());

        final File input = new File(workDirectory, "lines.txt");
        final StringBuilder lines = new StringBuilder();
        for (int i = 0; i < 300; i++)
        {
            lines.append("key").append(i % 7).append(':').append("value-").append(i).append('\n');
        }
        Files.writeString(input.toPath(), lines, StandardCharsets.UTF_8);
        final ChildProcess produce = sluice(input, "produce", "--bootstrap", bootstrap, "--topic", "quotes",
            "--acks", "1", "--key-separator", ":");
        assertEquals(0, produce.await(60, TimeUnit.SECONDS), produce.stderr());

        final ChildProcess consume = sluice(null, "consume", "--bootstrap", bootstrap, "--topic", "quotes",
            "--from-beginning", "--max-records", "300", "--print-key", "--group", "readers");
        assertEquals(0, consume.await(60, TimeUnit.SECONDS), consume.stderr());
        final List<String> printed = consume.stdout().lines().toList();
        assertEquals(300, printed.size());
        final Map<String, List<Integer>> byKey = new HashMap<>();
        for (final String line : printed)
        {
            final String[] parts = line.split("\t");
            byKey.computeIfAbsent(parts[0], (k) -> new ArrayList<>())
                .add(Integer.parseInt(parts[1].substring("value-".length())));
        }
        assertEquals(7, byKey.size());
        for (final List<Integer> values : byKey.values())
        {
            final List<Integer> sorted = new ArrayList<>(values);
            sorted.sort(null);
            assertEquals(sorted, values, "one key, one partition: in produce order");
        }

        final ChildProcess again = sluice(null, "consume", "--bootstrap", bootstrap, "--topic", "quotes",
            "--group", "readers", "--timeout-ms", "1000");
        assertEquals(0, again.await(60, TimeUnit.SECONDS), again.stderr());
        assertEquals("", again.stdout(), "the group committed everything it printed");

        final ChildProcess describe = sluice(null, "topics", "describe", "--bootstrap", bootstrap, "--topic", "quotes");
        assertEquals(0, describe.await(60, TimeUnit.SECONDS), describe.stderr());
        assertTrue(describe.stdout().contains("PartitionCount: 3"), describe.stdout());
        assertTrue(describe.stdout().contains("retention.ms=3600000"), describe.stdout());

        final ChildProcess missing = sluice(null, "produce", "--bootstrap", bootstrap, "--topic", "nope");
        assertEquals(1, missing.await(60, TimeUnit.SECONDS));
        assertTrue(missing.stderr().contains("UNKNOWN_TOPIC"), missing.stderr());

        final ChildProcess delete = sluice(null, "topics", "delete", "--bootstrap", bootstrap, "--topic", "quotes");
        assertEquals(0, delete.await(60, TimeUnit.SECONDS), delete.stderr());
        final ChildProcess list = sluice(null, "topics", "list", "--bootstrap", bootstrap);
        assertEquals(0, list.await(60, TimeUnit.SECONDS), list.stderr());
        assertEquals("", list.stdout());
    }

    @Test
    void shouldStopCleanlyOnSigtermAndServeEverythingAfterARestart() throws Exception
    {
        final File data = new File(workDirectory, "data");
        final Broker broker = startBroker(data);
        assertEquals(0, sluice(null, "topics", "create", "--bootstrap", broker.endpoint(), "--topic", "t")
            .await(60, TimeUnit.SECONDS));
        final File input = new File(workDirectory, "in.txt");
        Files.writeString(input.toPath(), "one\ntwo\nthree\n", StandardCharsets.UTF_8);
        assertEquals(0, sluice(input, "produce", "--bootstrap", broker.endpoint(), "--topic", "t")
            .await(60, TimeUnit.SECONDS));

        broker.process().process.destroy(); // SIGTERM
        final int exitCode = broker.process().await(60, TimeUnit.SECONDS);
        assertTrue(0 == exitCode || 143 == exitCode, "0, or 128 + SIGTERM as the JVM reports it: " + exitCode);
        assertTrue(broker.process().stdout().contains("stopping"));
        assertTrue(broker.process().stderr().contains("broker 0 stopped"), broker.process().stderr());
        assertFalse(new File(broker.aeronDirectory()).exists(), "the embedded driver removed its directory");

        final Broker restarted = startBroker(data);
        final ChildProcess consume = sluice(null, "consume", "--bootstrap", restarted.endpoint(), "--topic", "t",
            "--from-beginning", "--max-records", "3");
        assertEquals(0, consume.await(60, TimeUnit.SECONDS), consume.stderr());
        assertEquals(List.of("one", "two", "three"), consume.stdout().lines().toList());
    }

    @Test
    void shouldServeEveryAcknowledgedRecordAfterSigkill() throws Exception
    {
        final File data = new File(workDirectory, "data");
        final int partitions = 2;
        final List<Map<Long, String>> acknowledged = new ArrayList<>();
        for (int p = 0; p < partitions; p++)
        {
            acknowledged.add(new HashMap<>());
        }
        int sequence = 0;
        for (int round = 0; round < 3; round++)
        {
            final Broker broker = startBroker(data);
            try (ClientConnection connection = connect(broker))
            {
                final int topicId = 0 == round ?
                    connection.createTopic("acked", partitions, 1, Map.of()) :
                    connection.describeTopic("acked").topicId();
                sequence = produceUntilKilled(connection, topicId, partitions, sequence, broker, acknowledged);
            }
            IoUtil.delete(new File(broker.aeronDirectory()), true);
        }

        final Broker broker = startBroker(data);
        try (ClientConnection connection = connect(broker))
        {
            final TopicDescription topic = connection.describeTopic("acked");
            for (int p = 0; p < partitions; p++)
            {
                final Map<Long, String> log = readAll(connection, topic.topicId(), p);
                int previous = -1;
                for (long offset = 0; offset < log.size(); offset++)
                {
                    final String value = log.get(offset);
                    assertTrue(null != value, "offsets are contiguous from 0");
                    final int produced = Integer.parseInt(value);
                    assertTrue(produced > previous, "in produce order");
                    previous = produced;
                }
                for (final Map.Entry<Long, String> entry : acknowledged.get(p).entrySet())
                {
                    assertEquals(entry.getValue(), log.get(entry.getKey()),
                        "acknowledged record at " + p + "/" + entry.getKey());
                }
                assertTrue(acknowledged.get(p).size() >= 3 * 500 / partitions, "each round acknowledged some");
            }
        }
    }

    private static ClientConnection connect(final Broker broker)
    {
        return ClientConnection.connect(new ClientConnection.Context()
            .bootstrap(broker.endpoint())
            .termLength(TERM_LENGTH)
            .requestTimeout(30, TimeUnit.SECONDS));
    }

    /**
     * Produce single-record batches with acks=1 and up to 32 in flight; after 1000 acknowledgements, SIGKILL the
     * broker while requests are still in flight.
     */
    private int produceUntilKilled(
        final ClientConnection connection,
        final int topicId,
        final int partitions,
        final int firstSequence,
        final Broker broker,
        final List<Map<Long, String>> acknowledged) throws InterruptedException
    {
        final Map<Long, String> inFlight = new HashMap<>();
        final int[] acks = {0};
        final ClientResponseListener listener = new ClientResponseListener()
        {
            public void onProduceResponse(final long correlationId, final int topic, final int partition,
                final ErrorCode errorCode, final long baseOffset, final long logStartOffset, final String message)
            {
                final String value = inFlight.remove(correlationId);
                assertEquals(ErrorCode.NONE, errorCode, message);
                acknowledged.get(partition).put(baseOffset, value);
                acks[0]++;
            }
        };
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final RecordBatchBuilder builder = new RecordBatchBuilder();
        int sequence = firstSequence;
        boolean killed = false;
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            if (!killed && acks[0] >= 1000)
            {
                broker.process().kill();
                killed = true;
            }
            if (killed && !connection.isConnected())
            {
                break;
            }
            if (inFlight.size() < 32 && connection.isConnected())
            {
                final String value = Integer.toString(sequence);
                builder.wrap(buffer, 0, buffer.capacity());
                builder.append(System.currentTimeMillis(), null, value.getBytes(StandardCharsets.US_ASCII));
                final int length = builder.build();
                final long correlationId = connection.nextCorrelationId();
                if (connection.offerProduce(correlationId, topicId, sequence % partitions, Acks.LEADER, buffer, 0,
                    length) > 0)
                {
                    inFlight.put(correlationId, value);
                    sequence++;
                }
            }
            connection.poll(listener, 64);
        }
        assertTrue(killed, "the broker was killed mid-stream");
        return sequence;
    }

    private static Map<Long, String> readAll(final ClientConnection connection, final int topicId, final int partition)
    {
        final TopicDescription.PartitionDescription description =
            connection.describeTopic("acked").partitions().get(partition);
        final Map<Long, String> records = new HashMap<>();
        final FetchedRecords fetched = new FetchedRecords();
        final ClientResponseListener listener = new ClientResponseListener()
        {
            public void onFetchData(final long sessionId, final int topic, final int p, final long from,
                final long to, final long highWatermark, final DirectBuffer buffer, final int offset, final int length)
            {
                fetched.forEach(buffer, offset, length, from, to, (record) -> records.put(record.offset(),
                    record.value().getStringWithoutLengthAscii(0, record.value().capacity())));
            }
        };
        while (connection.offerFetch(connection.nextCorrelationId(), partition, topicId, partition,
            ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, Long.MAX_VALUE) < 0)
        {
            connection.poll(listener, 64);
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (records.size() < description.logEndOffset() && System.nanoTime() < deadline)
        {
            connection.poll(listener, 64);
        }
        assertEquals(description.logEndOffset(), records.size());
        return records;
    }
}
