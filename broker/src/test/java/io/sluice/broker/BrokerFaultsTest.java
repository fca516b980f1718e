package io.sluice.broker;

import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.engine.LogConfig;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Faults of the broker's storage and clients, each with its outcome: a full device (a real tmpfs the test mounts;
 * skipped where mounting is not permitted) answers {@code STORAGE_FULL}, loses nothing acknowledged and takes
 * appends again once space returns, also after a restart; a data directory that is read-only refuses the start
 * with one clear error; a stuck consumer (it never reads its responses) holds up nobody else.
 */
class BrokerFaultsTest
{
    private static final int SEGMENT = 512 * 1024;

    @TempDir
    File temp;

    private File device;
    private boolean mounted;
    private SluiceBroker broker;
    private final List<ClientConnection> connections = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        connections.forEach(CloseHelper::quietClose);
        CloseHelper.quietClose(broker);
        if (mounted)
        {
            String failure = run("umount", device.getPath());
            for (int attempt = 0; null != failure && attempt < 5; attempt++)
            {
                System.gc(); // a mapping not yet unmapped holds the device
                Thread.sleep(100);
                failure = run("umount", device.getPath());
            }
            if (null != failure)
            {
                run("umount", "-l", device.getPath());
            }
        }
    }

    private SluiceBroker.Context context(final File dataDirectory)
    {
        return TestBroker.context(dataDirectory)
            .logDefault(LogConfig.SEGMENT_BYTES, String.valueOf(SEGMENT))
            .logDefault(LogConfig.SEGMENT_INDEX_BYTES, "4096")
            .logDefault(LogConfig.INDEX_INTERVAL_BYTES, "4096")
            .logDefault(LogConfig.RETENTION_MS, "-1");
    }

    private TestClient connect()
    {
        final ClientConnection connection = TestBroker.connect(broker);
        connections.add(connection);
        return new TestClient(connection);
    }

    @Test
    void shouldAnswerStorageFullLoseNothingAcknowledgedAndGoOnOnceSpaceReturns() throws Exception
    {
        device = new File(temp, "tmpfs");
        assertTrue(device.mkdirs());
        final String failure = run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", device.getPath());
        assumeTrue(null == failure, "cannot mount a tmpfs here: " + failure);
        mounted = true;
        final File data = new File(device, "data");
        broker = SluiceBroker.launch(context(data));
        TestClient client = connect();
        final int topicId = client.connection.createTopic("full", 1, 1, Map.of());
        final File filler = new File(device, "filler");
        fill(filler, Files.getFileStore(device.toPath()).getUnallocatedSpace() - 3L * SEGMENT);

        final String value = "v".repeat(8 * 1024);
        final List<String> acknowledged = new ArrayList<>();
        TestClient.Ack ack;
        int attempt = 0;
        while ((ack = client.produceAndAwait(topicId, 0, value + attempt)).errorCode() == ErrorCode.NONE)
        {
            assertEquals(acknowledged.size(), ack.baseOffset(), "offsets without gaps");
            acknowledged.add(value + attempt);
            attempt++;
            assertTrue(attempt < 10_000, "the device never filled up");
        }
        assertEquals(ErrorCode.STORAGE_FULL, ack.errorCode(), ack.message());
        assertTrue(acknowledged.size() > 10, "some records went in first: " + acknowledged.size());
        assertEquals(ErrorCode.STORAGE_FULL, client.produceAndAwait(topicId, 0, value + "again").errorCode(),
            "still full, still answered (a batch small enough for the segment's last bytes would still go in)");
        assertEquals(acknowledged.size(), client.connection.describeTopic("full").partitions().get(0).highWatermark(),
            "a refused produce appends nothing");
        assertEquals(acknowledged, fetchAll(client, topicId, acknowledged.size()),
            "everything acknowledged reads back");

        Files.delete(filler.toPath());
        final TestClient.Ack after = client.produceAndAwait(topicId, 0, "after");
        assertEquals(ErrorCode.NONE, after.errorCode(), after.message());
        assertEquals(acknowledged.size(), after.baseOffset());
        acknowledged.add("after");

        connections.forEach(CloseHelper::quietClose);
        connections.clear();
        broker.close();
        broker = SluiceBroker.launch(context(data));
        client = connect();
        final int reopened = client.connection.describeTopic("full").topicId();
        assertEquals(acknowledged, fetchAll(client, reopened, acknowledged.size()), "all of it after a restart");
    }

    @Test
    void shouldRefuseToStartOnAReadOnlyFileSystemWithOneClearError() throws Exception
    {
        device = new File(temp, "read-only");
        assertTrue(device.mkdirs());
        final String failure = run("mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", device.getPath());
        assumeTrue(null == failure, "cannot mount a tmpfs here: " + failure);
        mounted = true;
        final File data = new File(device, "data");
        final RuntimeException refused = assertThrows(RuntimeException.class, () -> SluiceBroker.launch(context(data)));
        assertTrue(refused.getMessage().contains(data.getPath()), refused.getMessage());
    }

    @Test
    void shouldRefuseToStartOnADataDirectoryThatIsAFile() throws IOException
    {
        final File notADirectory = new File(temp, "a-file");
        Files.writeString(notADirectory.toPath(), "not a directory");
        final RuntimeException refused = assertThrows(RuntimeException.class,
            () -> SluiceBroker.launch(context(notADirectory)));
        assertTrue(refused.getMessage().contains(notADirectory.getPath()), refused.getMessage());
    }

    /**
     * The data directory removed under a running broker (an operator's mistake, a disk unmounted): what is mapped
     * stays readable and writable until its segment is full, then produces are answered {@code STORAGE_ERROR}
     * rather than crashing anything, and the broker goes on answering every other request.
     */
    @Test
    void shouldAnswerStorageErrorsAndKeepServingWhenTheDataDirectoryVanishes() throws IOException
    {
        final File data = new File(temp, "vanishing");
        broker = SluiceBroker.launch(context(data));
        final TestClient client = connect();
        final int topicId = client.connection.createTopic("gone", 1, 1, Map.of());
        final String value = "g".repeat(8 * 1024);
        assertEquals(ErrorCode.NONE, client.produceAndAwait(topicId, 0, value).errorCode());
        deleteRecursively(data);

        TestClient.Ack ack;
        int produced = 1;
        while ((ack = client.produceAndAwait(topicId, 0, value)).errorCode() == ErrorCode.NONE)
        {
            produced++;
            assertTrue(produced < 1000, "never refused");
        }
        assertEquals(ErrorCode.STORAGE_ERROR, ack.errorCode(), ack.message());
        assertTrue(produced > 1, "the mapped segment took records until it was full");
        assertEquals(produced, client.connection.describeTopic("gone").partitions().get(0).highWatermark());
        assertEquals(ErrorCode.STORAGE_ERROR, client.produceAndAwait(topicId, 0, value).errorCode(), "and again");
        final io.sluice.transport.SluiceClientException create = assertThrows(
            io.sluice.transport.SluiceClientException.class,
            () -> client.connection.createTopic("elsewhere", 1, 1, Map.of()));
        assertEquals(ErrorCode.STORAGE_ERROR, create.errorCode(), create.getMessage());
        assertEquals(java.util.Set.of("gone"), client.connection.describeTopics("", false).stream()
            .map(io.sluice.transport.TopicDescription::name).collect(java.util.stream.Collectors.toSet()),
            "metadata still answered, and no half-made topic listed");
    }

    /**
     * A consumer that asks for everything and then never polls: its response stream fills and the broker holds
     * that client's responses back, while another client produces and fetches as usual, and the stuck client is
     * dropped once it has been silent for the client timeout.
     */
    @Test
    void shouldServeOthersWhileAConsumerIsStuckAndDropItAfterTheClientTimeout()
    {
        broker = SluiceBroker.launch(context(new File(temp, "data")).clientTimeout(2, TimeUnit.SECONDS));
        final TestClient producer = connect();
        final int topicId = producer.connection.createTopic("busy", 1, 1, Map.of());
        final String value = "x".repeat(16 * 1024);
        for (int i = 0; i < 200; i++)
        {
            final int length = producer.batch(value);
            producer.produce(topicId, 0, Acks.LEADER, producer.batchBuffer(), length);
        }
        producer.pollUntil(() -> producer.acks.size() == 200);

        final TestClient stuck = connect();
        stuck.fetch(1, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, Long.MAX_VALUE);
        // 3.2 MB for a client whose response term is 1 MiB: and it never polls again.

        final TestClient other = connect();
        assertEquals(ErrorCode.NONE, other.produceAndAwait(topicId, 0, "still served").errorCode());
        other.fetch(2, topicId, 0, 200, CreditMode.RECORDS, 1);
        other.pollUntil(() -> other.received.size() == 1);
        assertEquals("still served", other.received.get(0).value());

        final long timeoutsBefore = broker.counters().clientTimeouts.get();
        ClusterReplicationTest.await("the stuck client dropped after the client timeout", () ->
        {
            // The live clients poll, which heartbeats: only the stuck one goes silent.
            producer.pollFor(10);
            other.pollFor(10);
            return broker.counters().clientTimeouts.get() > timeoutsBefore;
        });
        assertEquals(timeoutsBefore + 1, broker.counters().clientTimeouts.get(), "the stuck client only");
        assertEquals(ErrorCode.NONE, other.produceAndAwait(topicId, 0, "and after").errorCode());
    }

    private static List<String> fetchAll(final TestClient client, final int topicId, final int count)
    {
        client.received.clear();
        client.fetch(99, topicId, 0, ClientProtocol.EARLIEST_OFFSET, CreditMode.RECORDS, count);
        client.pollUntil(() -> client.received.size() >= count);
        final List<String> values = new ArrayList<>();
        client.received.forEach((r) -> values.add(r.value()));
        return values;
    }

    /**
     * Delete a directory a running broker writes in: its log maintenance may make a file there meanwhile (the next
     * segment, prepared ahead), so a directory found not empty is listed and deleted again, a bounded number of times.
     */
    private static void deleteRecursively(final File file) throws IOException
    {
        for (int attempt = 1; ; attempt++)
        {
            final File[] children = file.listFiles();
            if (null != children)
            {
                for (final File child : children)
                {
                    deleteRecursively(child);
                }
            }
            try
            {
                Files.deleteIfExists(file.toPath());
                return;
            }
            catch (final java.nio.file.DirectoryNotEmptyException ex)
            {
                if (attempt == 100)
                {
                    throw ex;
                }
            }
        }
    }

    private static void fill(final File file, final long bytes) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            final FileChannel channel = raf.getChannel();
            final ByteBuffer ones = ByteBuffer.allocate(4096);
            Arrays.fill(ones.array(), (byte)1);
            for (long written = 0; written < bytes; )
            {
                ones.clear().limit((int)Math.min(4096, bytes - written));
                written += channel.write(ones);
            }
        }
    }

    private static String run(final String... command) throws InterruptedException
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                return String.join(" ", command) + " did not finish in 30 s";
            }
            return 0 == process.exitValue() ? null :
                String.join(" ", command) + " exited with " + process.exitValue() + ": " + output.trim();
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
    }
}
