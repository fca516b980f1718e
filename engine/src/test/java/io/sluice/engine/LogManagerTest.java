package io.sluice.engine;

import org.agrona.concurrent.AgentInvoker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

class LogManagerTest
{
    private static final String MAINTENANCE_THREAD = "sluice-log-maintenance";
    private static final long TIMESTAMP_ORIGIN = 1_650_000_000_000L;
    private static final LogConfig SMALL_DEFAULTS = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 64 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.INDEX_INTERVAL_BYTES, 512)
        .with(LogConfig.PRETOUCH_BYTES, 8192);

    @TempDir
    File temp;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final TestBatches batches = new TestBatches();
    private File data;

    @AfterEach
    void after() throws Exception
    {
        for (int i = toClose.size() - 1; i >= 0; i--)
        {
            toClose.get(i).close();
        }
    }

    private LogManager open(final LogManager.MaintenanceMode mode)
    {
        return open(mode, SMALL_DEFAULTS);
    }

    private LogManager open(final LogManager.MaintenanceMode mode, final LogConfig defaults)
    {
        if (null == data)
        {
            data = new File(temp, "data");
        }
        final LogManager logs = LogManager.open(new LogManager.Context()
            .dataDirectory(data)
            .defaultConfig(defaults)
            .maintenanceMode(mode));
        toClose.add(logs);
        return logs;
    }

    private long appendRecords(final PartitionLog log, final int records)
    {
        long next = log.logEndOffset();
        for (int i = 0; i < records; i += 10)
        {
            final int count = Math.min(10, records - i);
            assertEquals(next, batches.append(log, next, count, TIMESTAMP_ORIGIN + next));
            next += count;
        }
        return next;
    }

    private static long readAll(final PartitionLog log)
    {
        try (VerifyingReader reader = new VerifyingReader(64 * 1024, TIMESTAMP_ORIGIN))
        {
            return reader.readToEnd(log, log.logStartOffset());
        }
    }

    @Test
    void shouldHoldOnlySomePartitionsOfATopicWhenPartialTopicsAreAllowed()
    {
        data = new File(temp, "data");
        LogManager logs = LogManager.open(new LogManager.Context()
            .dataDirectory(data).defaultConfig(SMALL_DEFAULTS).partialTopics(true)
            .maintenanceMode(LogManager.MaintenanceMode.INVOKER));
        final PartitionLog p2 = logs.openPartition("orders", 2, Map.of(LogConfig.RETENTION_MS, "60000"));
        assertSame(p2, logs.openPartition("orders", 2, Map.of()), "opening a partition that is here returns it");
        logs.openPartition("orders", 5, Map.of());
        appendRecords(p2, 30);
        assertNull(logs.log("orders", 0));
        assertEquals(6, logs.partitionCount("orders"));
        assertEquals(60000, logs.topicConfig("orders").retentionMs());

        assertTrue(logs.deletePartition("orders", 5));
        assertFalse(new File(data, "orders-5").exists());
        assertFalse(logs.deletePartition("orders", 5));
        logs.close();

        logs = LogManager.open(new LogManager.Context()
            .dataDirectory(data).defaultConfig(SMALL_DEFAULTS).partialTopics(true)
            .maintenanceMode(LogManager.MaintenanceMode.INVOKER));
        toClose.add(logs);
        assertEquals(30, readAll(logs.log("orders", 2)));
        assertNull(logs.log("orders", 0));
        assertEquals(60000, logs.topicConfig("orders").retentionMs());
        assertTrue(logs.deletePartition("orders", 2));
        assertEquals(List.of(), logs.topics(), "a topic goes with its last partition here");

        logs.openPartition("orders", 1, Map.of());
        assertThrows(LogStorageException.class, () -> LogManager.open(new LogManager.Context()
            .dataDirectory(new File(temp, "data")).defaultConfig(SMALL_DEFAULTS)
            .maintenanceMode(LogManager.MaintenanceMode.INVOKER)), "already open, and partial besides");
    }

    @Test
    void shouldRestoreTopicsPartitionCountsConfigsAndDataWhenReopened() throws IOException
    {
        final Map<String, String> ordersOverrides = Map.of(
            LogConfig.RETENTION_BYTES, "10000000",
            LogConfig.FLUSH_POLICY, "interval",
            LogConfig.SEGMENT_MS, "3600000");
        LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        final List<PartitionLog> orders = logs.createTopic("orders", 3, ordersOverrides);
        logs.createTopic("audit.log_v2-x", 1, Map.of());
        assertEquals(3, orders.size());
        for (int p = 0; p < 3; p++)
        {
            assertEquals(p, orders.get(p).partition());
            assertEquals(100 * (p + 1), appendRecords(orders.get(p), 100 * (p + 1)));
        }
        assertEquals(25, appendRecords(logs.log("audit.log_v2-x", 0), 25));
        final Map<String, String> ordersConfig = logs.topicConfig("orders").values();
        assertEquals(10_000_000, logs.topicConfig("orders").retentionBytes());
        assertEquals(FlushPolicy.INTERVAL, logs.topicConfig("orders").flushPolicy());

        for (int p = 0; p < 3; p++)
        {
            final Properties written = loadProperties(new File(data, "orders-" + p + "/" + LogManager.CONFIG_FILE));
            for (final Map.Entry<String, String> override : ordersOverrides.entrySet())
            {
                assertEquals(override.getValue(), written.getProperty(override.getKey()), "orders-" + p);
            }
        }
        logs.close();

        logs = open(LogManager.MaintenanceMode.INVOKER);
        assertEquals(List.of("audit.log_v2-x", "orders"), logs.topics());
        assertEquals(3, logs.partitionCount("orders"));
        assertEquals(1, logs.partitionCount("audit.log_v2-x"));
        assertEquals(0, logs.partitionCount("missing"));
        assertNull(logs.log("orders", 3));
        assertNull(logs.log("orders", -1));
        assertEquals(ordersConfig, logs.topicConfig("orders").values());
        assertEquals(SMALL_DEFAULTS.values(), logs.topicConfig("audit.log_v2-x").values());
        for (int p = 0; p < 3; p++)
        {
            final PartitionLog log = logs.log("orders", p);
            assertEquals("orders", log.topic());
            assertEquals(p, log.partition());
            assertEquals(100 * (p + 1), readAll(log), "orders-" + p);
        }
        assertEquals(25, readAll(logs.log("audit.log_v2-x", 0)));
        assertEquals(35, appendRecords(logs.log("audit.log_v2-x", 0), 10), "appends go on at the end");
    }

    /**
     * {@code log.properties} keeps only the values that differ from the built-in defaults, and reopening applies
     * them over the manager's defaults: an explicit override that happens to equal the built-in default is dropped,
     * and the topic silently takes the manager's default instead.
     */
    @Test
    void shouldKeepAnOverrideEqualToTheBuiltInDefaultWhenReopened()
    {
        final String sevenDays = LogConfig.defaults().values().get(LogConfig.RETENTION_MS);
        final LogConfig shortRetention = SMALL_DEFAULTS.with(LogConfig.RETENTION_MS, 60_000);
        LogManager logs = open(LogManager.MaintenanceMode.INVOKER, shortRetention);
        logs.createTopic("keep-a-week", 1, Map.of(LogConfig.RETENTION_MS, sevenDays));
        assertEquals(Long.parseLong(sevenDays), logs.topicConfig("keep-a-week").retentionMs());
        logs.close();

        logs = open(LogManager.MaintenanceMode.INVOKER, shortRetention);
        assertEquals(Long.parseLong(sevenDays), logs.topicConfig("keep-a-week").retentionMs(),
            "the topic's retention.ms override after a restart");
    }

    @Test
    void shouldRemoveDirectoryAndTopicWhenDeleted() throws IOException
    {
        LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        final List<PartitionLog> doomed = logs.createTopic("doomed", 2, Map.of(LogConfig.RETENTION_BYTES, "1000000"));
        logs.createTopic("kept", 1, Map.of());
        appendRecords(doomed.get(0), 500);
        appendRecords(doomed.get(1), 50);
        appendRecords(logs.log("kept", 0), 20);
        logs.maintenanceInvoker().invoke();

        assertTrue(logs.deleteTopic("doomed"));
        assertFalse(new File(data, "doomed-0").exists());
        assertFalse(new File(data, "doomed-1").exists());
        assertEquals(List.of("kept"), logs.topics());
        assertNull(logs.log("doomed", 0));
        assertEquals(0, logs.partitionCount("doomed"));
        assertNull(logs.topicConfig("doomed"));
        assertTrue(doomed.get(0).isClosed());
        try (LogReadResult result = new LogReadResult())
        {
            assertEquals(LogReadResult.LOG_CLOSED, doomed.get(0).read(0, 1024, result));
        }
        assertEquals(PartitionLog.LOG_CLOSED, batches.append(doomed.get(1), 50, 1, 0));
        assertFalse(logs.deleteTopic("doomed"));
        logs.maintenanceInvoker().invoke();

        final PartitionLog again = logs.createTopic("doomed", 1, Map.of()).get(0);
        assertEquals(0, again.logEndOffset());
        assertEquals(-1, logs.topicConfig("kept").retentionBytes(), "the other topic kept its own configuration");
        assertTrue(logs.deleteTopic("doomed"));
        logs.close();

        logs = open(LogManager.MaintenanceMode.INVOKER);
        assertEquals(List.of("kept"), logs.topics());
        assertEquals(20, readAll(logs.log("kept", 0)));
        try (var names = Files.list(data.toPath()))
        {
            assertEquals(List.of("kept-0"), names.map((path) -> path.getFileName().toString())
                .filter((name) -> !name.equals(LogManager.LOCK_FILE)).toList());
        }
    }

    @Test
    void shouldRefuseASecondManagerWhenTheDirectoryIsOpenInThisProcess()
    {
        final LogManager first = open(LogManager.MaintenanceMode.INVOKER);
        first.createTopic("t", 1, Map.of());

        final LogStorageException ex = assertThrows(LogStorageException.class, () -> open(
            LogManager.MaintenanceMode.INVOKER));
        assertTrue(ex.getMessage().contains(data.getPath()), ex.getMessage());
        assertTrue(ex.getMessage().contains("already open"), ex.getMessage());

        assertEquals(10, appendRecords(first.log("t", 0), 10), "the first manager is unaffected");
        first.createTopic("u", 1, Map.of());
    }

    @Test
    void shouldRefuseAnotherProcessWhenTheDirectoryIsOpen() throws Exception
    {
        open(LogManager.MaintenanceMode.INVOKER).createTopic("t", 1, Map.of());

        final String answer = probeFromAnotherProcess();
        assertTrue(answer.startsWith("refused "), answer);
        assertTrue(answer.contains("locked by another process") && answer.contains(data.getPath()), answer);
    }

    /**
     * POSIX record locks belong to the process, and closing any descriptor of the file drops them all: the refused
     * second open in this JVM must not close a channel on {@code .lock}, or the first manager silently loses the
     * lock that keeps other processes out.
     */
    @Test
    void shouldStillLockOutOtherProcessesAfterASecondOpenInThisProcessWasRefused() throws Exception
    {
        open(LogManager.MaintenanceMode.INVOKER).createTopic("t", 1, Map.of());
        assertThrows(LogStorageException.class, () -> open(LogManager.MaintenanceMode.INVOKER));

        final String answer = probeFromAnotherProcess();
        assertTrue(answer.startsWith("refused "), "another process could open the data directory: " + answer);
    }

    private String probeFromAnotherProcess() throws Exception
    {
        try (ChildJvm probe = ChildJvm.start(DataDirectoryLockProbe.class, new File(temp, "probe.err"), data.getPath()))
        {
            final String answer = probe.nextLine(120);
            assertEquals(0, probe.waitForExit(120), probe.stderr());
            assertNotNull(answer, "no answer from the probe: " + probe.stderr());
            return answer;
        }
    }

    @Test
    void shouldRefuseADataDirectoryThatIsARegularFile() throws IOException
    {
        data = new File(temp, "plain-file");
        Files.writeString(data.toPath(), "not a directory");

        final LogStorageException ex = assertThrows(LogStorageException.class, () -> open(
            LogManager.MaintenanceMode.INVOKER));
        assertTrue(ex.getMessage().contains(data.getPath()) && ex.getMessage().contains("not a directory"),
            ex.getMessage());
        assertEquals("not a directory", Files.readString(data.toPath()), "the file is left alone");
    }

    @Test
    void shouldRefuseADataDirectoryThatCannotBeWritten() throws IOException
    {
        data = new File(temp, "read-only");
        assertTrue(data.mkdirs());
        assertTrue(data.setWritable(false, false));
        try
        {
            final File probe = new File(data, "probe");
            boolean writable;
            try
            {
                writable = probe.createNewFile();
                Files.deleteIfExists(probe.toPath());
            }
            catch (final IOException ex)
            {
                writable = false;
            }
            assumeFalse(writable, "this user (root?) can write a directory without write permission");

            final LogStorageException ex = assertThrows(LogStorageException.class, () -> open(
                LogManager.MaintenanceMode.INVOKER));
            assertTrue(ex.getMessage().contains(data.getPath()) && ex.getMessage().contains("not writable"),
                ex.getMessage());
        }
        finally
        {
            assertTrue(data.setWritable(true, false));
        }
    }

    @Test
    void shouldRefuseInvalidTopicNamesAndPartitionCounts()
    {
        final LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        final List<String> invalid = new ArrayList<>(List.of(
            "", ".", "..", "a/b", "../escape", "a b", "tab\t", "caf\u00e9", "x".repeat(201)));
        invalid.add(null);
        for (final String name : invalid)
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> logs.createTopic(name, 1, Map.of()), "topic name '" + name + "'");
            assertTrue(ex.getMessage().contains("invalid topic name"), ex.getMessage());
        }
        for (final int partitions : new int[]{ 0, -1, Integer.MIN_VALUE })
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> logs.createTopic("t", partitions, Map.of()));
            assertTrue(ex.getMessage().contains(String.valueOf(partitions)), ex.getMessage());
        }
        assertEquals(List.of(), logs.topics());
        assertEquals(List.of(LogManager.LOCK_FILE), Arrays.asList(data.list()), "nothing created");

        logs.createTopic("x".repeat(200), 1, Map.of());
        logs.createTopic("A.b_c-9", 2, Map.of());
        assertThrows(IllegalArgumentException.class, () -> logs.createTopic("A.b_c-9", 1, Map.of()));
        assertEquals(2, logs.partitionCount("A.b_c-9"));
    }

    @Test
    void shouldRefuseUnknownConfigKeysAndBadValuesNamingTheKey()
    {
        final LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        final Map<String, String> bad = new TreeMap<>(Map.of(
            LogConfig.SEGMENT_BYTES, "big",
            LogConfig.SEGMENT_INDEX_BYTES, "12",
            LogConfig.MAX_MESSAGE_BYTES, "0",
            LogConfig.FLUSH_POLICY, "sometimes",
            LogConfig.RETENTION_MS, "-2",
            LogConfig.RETENTION_BYTES, "1.5",
            "retention.byte", "100",
            LogConfig.CLEANUP_POLICY, "shred"));
        bad.put(LogConfig.SEGMENT_BYTES + " ", "65536");
        for (final Map.Entry<String, String> entry : bad.entrySet())
        {
            final LogConfigException ex = assertThrows(LogConfigException.class,
                () -> logs.createTopic("t", 1, Map.of(entry.getKey(), entry.getValue())), entry.toString());
            assertTrue(ex.getMessage().contains(entry.getKey()), ex.getMessage());
        }
        final Map<String, String> oneBadAmongGood = new HashMap<>(Map.of(
            LogConfig.RETENTION_BYTES, "1000", LogConfig.SEGMENT_BYTES, "1"));
        final LogConfigException ex = assertThrows(LogConfigException.class,
            () -> logs.createTopic("t", 1, oneBadAmongGood));
        assertTrue(ex.getMessage().contains(LogConfig.SEGMENT_BYTES), ex.getMessage());

        assertEquals(List.of(), logs.topics());
        assertEquals(List.of(LogManager.LOCK_FILE), Arrays.asList(data.list()), "nothing created");
        assertEquals(65536, logs.createTopic("t", 1, Map.of(LogConfig.SEGMENT_BYTES, " 65536 "))
            .get(0).config().segmentBytes());
    }

    @Test
    void shouldRunMaintenanceWhenTheInvokerIsInvoked()
    {
        final LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        final AgentInvoker invoker = logs.maintenanceInvoker();
        assertNotNull(invoker);
        assertTrue(invoker.isStarted());
        final PartitionLog log = logs.createTopic("t", 1, Map.of(
            LogConfig.RETENTION_BYTES, "150000", LogConfig.RETENTION_MS, "-1")).get(0);

        final long segmentBytes = log.config().segmentBytes();
        long end = 0;
        long activeStart = 0;
        while (log.segmentCount() < 6 || log.sizeInBytes() - activeStart <= segmentBytes / 2)
        {
            final int segments = log.segmentCount();
            final long sealedSize = log.sizeInBytes();
            assertEquals(end, batches.append(log, end, 10, TIMESTAMP_ORIGIN + end));
            end += 10;
            if (log.segmentCount() != segments)
            {
                activeStart = sealedSize;
            }
        }
        final int segmentsBefore = log.segmentCount();
        assertFalse(TestBatches.hasPreparedSegment(log.directory()));
        assertEquals(0, log.logStartOffset());

        assertTrue(invoker.invoke() > 0, "maintenance found work");
        assertTrue(TestBatches.hasPreparedSegment(log.directory()), "next segment prepared");
        assertTrue(log.segmentCount() < segmentsBefore, "retention: " + log.segmentCount() + " segments");
        assertTrue(log.logStartOffset() > 0);
        assertTrue(log.sizeInBytes() >= 150_000, "retention keeps at least retention.bytes: " + log.sizeInBytes());
        assertEquals(0, Arrays.stream(log.directory().list())
            .filter((name) -> name.endsWith(LogSegment.DELETED_SUFFIX)).count(), "deleted segments unmapped");
        assertEquals(end, readAll(log));
        assertEquals(end + 10, appendRecords(log, 10));
    }

    @Test
    void shouldStopTheMaintenanceThreadWhenClosed() throws InterruptedException
    {
        final long before = maintenanceThreads();
        final LogManager logs = open(LogManager.MaintenanceMode.DEDICATED);
        assertNull(logs.maintenanceInvoker());
        assertEquals(before + 1, maintenanceThreads());

        final PartitionLog log = logs.createTopic("t", 1, Map.of(
            LogConfig.RETENTION_BYTES, "100000", LogConfig.RETENTION_MS, "-1")).get(0);
        while (log.segmentCount() < 4)
        {
            appendRecords(log, 50);
        }
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (0 == log.logStartOffset())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("the maintenance thread enforced no retention in 60 s: " + log);
            }
            Thread.sleep(1);
        }

        logs.close();
        assertEquals(before, maintenanceThreads(), "maintenance thread still alive after close");
        logs.close();
    }

    private static long maintenanceThreads()
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> thread.isAlive() && MAINTENANCE_THREAD.equals(thread.getName()))
            .count();
    }

    @Test
    void shouldRefuseTopicsAndDeletesWhenClosed()
    {
        final LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        final PartitionLog log = logs.createTopic("t", 1, Map.of()).get(0);
        logs.close();
        assertTrue(log.isClosed());
        assertThrows(IllegalStateException.class, () -> logs.createTopic("u", 1, Map.of()));
        assertThrows(IllegalStateException.class, () -> logs.deleteTopic("t"));
        logs.close();

        final LogManager.Context concluded = new LogManager.Context().dataDirectory(data).conclude();
        assertThrows(IllegalStateException.class, () -> LogManager.open(concluded), "a context is concluded once");
    }

    @Test
    void shouldRefuseATopicWithMissingPartitionsAndReleaseTheLock() throws IOException
    {
        LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        logs.createTopic("gappy", 3, Map.of());
        logs.createTopic("fine", 1, Map.of());
        logs.close();
        assertTrue(new File(data, "notes").mkdir(), "a directory that is not a partition");
        final File moved = new File(temp, "gappy-1");
        Files.move(new File(data, "gappy-1").toPath(), moved.toPath());

        final LogStorageException ex = assertThrows(LogStorageException.class, () -> open(
            LogManager.MaintenanceMode.INVOKER));
        assertTrue(ex.getMessage().contains("gappy") && ex.getMessage().contains("[0, 2]"), ex.getMessage());

        Files.move(moved.toPath(), new File(data, "gappy-1").toPath());
        logs = open(LogManager.MaintenanceMode.INVOKER);
        assertEquals(List.of("fine", "gappy"), logs.topics(), "the failed open released the lock and the logs");
        assertEquals(3, logs.partitionCount("gappy"));
    }

    private static Properties loadProperties(final File file) throws IOException
    {
        final Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file.toPath(), StandardCharsets.UTF_8))
        {
            properties.load(reader);
        }
        return properties;
    }

    /**
     * Creating a topic runs on the caller's thread, which for a broker is its agent: zero-filling whole default
     * segments there (256 MiB and 25 MiB of indexes a partition) stalled a broker for over 10 s on a busy disk.
     */
    @Test
    void shouldCreateATopicWithoutZeroFillingWholeSegmentsOnTheCallersThread() throws Exception
    {
        final LogManager logs = open(LogManager.MaintenanceMode.INVOKER, LogConfig.defaults());
        final int partitions = 16;
        logs.createTopic("wide", partitions, Map.of());
        long bytes;
        try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.walk(data.toPath()))
        {
            bytes = files.filter(java.nio.file.Files::isRegularFile).mapToLong((path) -> path.toFile().length()).sum();
        }
        assertTrue(bytes <= partitions * (PartitionLog.STARTER_SEGMENT_BYTES + 64 * 1024L),
            "bytes written to create " + partitions + " partitions: " + bytes);
        assertEquals(LogConfig.defaults().segmentBytes(), logs.log("wide", 3).config().segmentBytes());
    }

    @Test
    void shouldCreateATopicAFewPartitionsAtATimeAndListItOnlyWhenComplete()
    {
        final LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        final LogManager.TopicCreation creation = logs.beginTopic("wide", 10, Map.of(LogConfig.RETENTION_MS, "-1"));
        assertFalse(creation.createPartitions(4));
        assertEquals(List.of(), logs.topics());
        assertNull(logs.log("wide", 0));
        assertThrows(IllegalArgumentException.class, () -> logs.createTopic("wide", 1, Map.of()));
        assertThrows(IllegalStateException.class, creation::complete);
        assertFalse(creation.createPartitions(4));
        assertTrue(creation.createPartitions(4));

        final List<PartitionLog> created = creation.complete();
        assertEquals(10, created.size());
        assertEquals(List.of("wide"), logs.topics());
        assertEquals(10, logs.partitionCount("wide"));
        assertEquals(-1, logs.log("wide", 9).config().retentionMs());
        assertEquals(0, batches.append(created.get(9), 0, 3, TIMESTAMP_ORIGIN));
        assertFalse(new File(data, LogManager.CREATING_PREFIX + "wide").exists(), "marker left behind");
    }

    @Test
    void shouldDeleteWhatAnAbortedCreationMadeAndGiveTheNameBack()
    {
        final LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        final LogManager.TopicCreation creation = logs.beginTopic("wide", 10, Map.of());
        assertFalse(creation.createPartitions(3));
        creation.abort();
        assertEquals(List.of(LogManager.LOCK_FILE), Arrays.asList(data.list()), "everything deleted");
        assertEquals(2, logs.createTopic("wide", 2, Map.of()).size());
    }

    /**
     * A kill during a creation leaves its marker and the partitions made so far: the restart deletes them, so the
     * topic does not come back with fewer partitions than asked for.
     */
    @Test
    void shouldDeleteTheTopicOfACreationAStopInterruptedWhenReopened() throws Exception
    {
        LogManager logs = open(LogManager.MaintenanceMode.INVOKER);
        logs.createTopic("half", 3, Map.of());
        logs.createTopic("whole", 2, Map.of());
        logs.close();
        assertTrue(new File(data, LogManager.CREATING_PREFIX + "half").createNewFile());

        logs = open(LogManager.MaintenanceMode.INVOKER);
        assertEquals(List.of("whole"), logs.topics());
        assertFalse(new File(data, "half-0").exists());
        assertFalse(new File(data, LogManager.CREATING_PREFIX + "half").exists());
        assertEquals(3, logs.createTopic("half", 3, Map.of()).size());
    }
}
