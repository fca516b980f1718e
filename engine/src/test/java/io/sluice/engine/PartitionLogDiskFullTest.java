package io.sluice.engine;

import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full device, for real: each test mounts a 2 MiB tmpfs (root, or CAP_SYS_ADMIN, needed; the tests are skipped
 * where mounting is not permitted) and fills it. Segments are preallocated, so a full device must show up as
 * {@link PartitionLog#STORAGE_FULL} when the next segment cannot be created, never as a crash, with everything
 * appended before intact, and appends must succeed again once space returns.
 * <p>
 * On this tmpfs a 512 KiB segment takes 128 pages for the log, 1 for the offset index and 2 for the time index.
 */
class PartitionLogDiskFullTest
{
    private static final int PAGE = 4096;
    private static final long TIMESTAMP_ORIGIN = 1_660_000_000_000L;
    private static final LogConfig CONFIG = LogConfig.defaults()
        .with(LogConfig.SEGMENT_BYTES, 512 * 1024)
        .with(LogConfig.SEGMENT_INDEX_BYTES, 4096)
        .with(LogConfig.INDEX_INTERVAL_BYTES, 4096)
        .with(LogConfig.PRETOUCH_BYTES, 0)
        .with(LogConfig.RETENTION_MS, -1);

    @TempDir
    File temp;

    private File device;
    private boolean mounted;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final CachedEpochClock clock = new CachedEpochClock();
    private final TestBatches batches = new TestBatches();

    @BeforeEach
    void mountSmallDevice() throws Exception
    {
        device = new File(temp, "tmpfs");
        assertTrue(device.mkdirs());
        final String failure = run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", device.getPath());
        assumeTrue(null == failure, "cannot mount a tmpfs here: " + failure);
        mounted = true;
    }

    @AfterEach
    void unmount() throws Exception
    {
        try
        {
            for (int i = toClose.size() - 1; i >= 0; i--)
            {
                toClose.get(i).close();
            }
        }
        finally
        {
            if (mounted)
            {
                String failure = run("umount", device.getPath());
                for (int attempt = 0; null != failure && attempt < 5; attempt++)
                {
                    // a mapping leaked by a failing test holds the device until the garbage collector unmaps it
                    System.gc();
                    Thread.sleep(100);
                    failure = run("umount", device.getPath());
                }
                if (null != failure)
                {
                    System.err.println("umount " + device + " failed (" + failure + "); detaching it lazily");
                    run("umount", "-l", device.getPath());
                }
            }
        }
    }

    @Test
    void shouldReturnStorageFullAndKeepTheLogWhenTheNextSegmentCannotBeAllocated() throws IOException
    {
        final File filler = fill(new File(device, "filler"), 600 * 1024);
        final PartitionLog log = open();

        final long end = appendUntilRefused(log, PartitionLog.STORAGE_FULL);
        final int segments = log.segmentCount();
        assertTrue(end > 0);
        final List<String> filesWhenFull = files(log);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(PartitionLog.STORAGE_FULL, batches.append(log, end, 10, TIMESTAMP_ORIGIN + end));
        }
        assertEquals(0, log.doMaintenance(clock.time()), "maintenance cannot prepare a segment either, quietly");
        assertEquals(end, log.logEndOffset(), "a refused append writes nothing");
        assertEquals(segments, log.segmentCount());
        assertEquals(filesWhenFull, files(log), "a refused append leaves no file behind");
        assertEquals(end, readAll(log), "everything appended before the device filled up is readable");

        Files.delete(filler.toPath());
        assertEquals(end, batches.append(log, end, 10, TIMESTAMP_ORIGIN + end), "append once space returned");
        assertEquals(segments + 1, log.segmentCount());
        final long endAfter = end + 10;
        log.close();

        final PartitionLog reopened = open();
        assertEquals(endAfter, reopened.logEndOffset());
        assertEquals(endAfter, readAll(reopened));
    }

    /**
     * A roll creates the log file, then the offset index, then the time index. When only the time index does not
     * fit, the refused append must still give back every page it took.
     */
    @Test
    void shouldGiveBackAllSpaceWhenARollFailsAtTheTimeIndex() throws IOException
    {
        final PartitionLog log = open();
        final long free = unallocated();
        // room for a log file (128 pages) and an offset index (1 page), not for a time index (2 pages)
        fill(new File(device, "filler"), free - (128 + 1) * PAGE);
        final long freeBeforeRoll = unallocated();
        assertEquals((128 + 1) * PAGE, freeBeforeRoll);
        final List<String> filesBeforeRoll = files(log);

        final long end = appendUntilRefused(log, PartitionLog.STORAGE_FULL);
        assertEquals(1, log.segmentCount());
        assertEquals(end, readAll(log));
        assertEquals(filesBeforeRoll, files(log), "files left by the refused roll");
        assertEquals(freeBeforeRoll, unallocated(), "bytes not given back by the refused roll");
    }

    @Test
    void shouldServeAndAppendToExistingLogsWhenOpenedOnAFullDevice() throws IOException
    {
        final File data = new File(device, "data");
        LogManager logs = openManager(data);
        PartitionLog log = logs.createTopic("t", 1, Map.of()).get(0);
        long end = appendRecords(log, 200);
        logs.close();

        fillUp(new File(device, "filler"));
        logs = openManager(data);
        log = logs.log("t", 0);
        assertEquals(end, readAll(log));
        logs.maintenanceInvoker().invoke();
        end = appendRecords(log, 100);
        assertEquals(end, readAll(log), "the active segment was allocated before the device filled up");
        final long full = appendUntilRefused(log, PartitionLog.STORAGE_FULL);
        assertTrue(full > end, "the active segment took appends until it was full");
        assertEquals(full, readAll(log));
    }

    @Test
    void shouldRefuseToOpenWithAClearErrorWhenAPartitionNeedsSpaceOnAFullDevice() throws IOException
    {
        final File data = new File(device, "data");
        LogManager logs = openManager(data);
        final long end = appendRecords(logs.createTopic("t", 1, Map.of()).get(0), 100);
        logs.close();
        // a partition whose first segment was never created, as after a crash inside createTopic
        assertTrue(new File(data, "fresh-0").mkdir());

        final File filler = fillUp(new File(device, "filler"));
        final LogStorageException ex = assertThrows(LogStorageException.class, () -> openManager(data));
        assertTrue(ex.getMessage().contains("device full") && ex.getMessage().contains("fresh-0"), ex.getMessage());

        Files.delete(filler.toPath());
        logs = openManager(data);
        assertEquals(List.of("fresh", "t"), logs.topics(), "the failed open released the directory lock");
        assertEquals(end, readAll(logs.log("t", 0)));
    }

    /**
     * A topic whose creation failed must not exist: not now, and not after a restart.
     */
    @Test
    void shouldLeaveNoTopicBehindWhenCreateTopicFailsOnAFullDevice() throws IOException
    {
        final File data = new File(device, "data");
        final LogManager logs = openManager(data);
        final File filler = fillUp(new File(device, "filler"));

        final LogStorageException ex = assertThrows(LogStorageException.class,
            () -> logs.createTopic("t", 2, Map.of(LogConfig.RETENTION_BYTES, "100000")));
        assertTrue(LogStorageException.isDiskFull(ex), "not reported as a full device: " + ex);
        assertTrue(ex.getMessage().contains(new File(data, "t-0").getPath()), ex.getMessage());
        assertEquals(List.of(), logs.topics());
        assertEquals(List.of(LogManager.LOCK_FILE), Arrays.asList(data.list()), "left in the data directory");

        Files.delete(filler.toPath());
        assertEquals(2, logs.createTopic("t", 2, Map.of(LogConfig.RETENTION_BYTES, "100000")).size());
    }

    private PartitionLog open()
    {
        final PartitionLog log = PartitionLog.open("t", 0, new File(device, "t-0"), CONFIG, clock);
        toClose.add(log);
        return log;
    }

    private LogManager openManager(final File data)
    {
        final LogManager logs = LogManager.open(new LogManager.Context()
            .dataDirectory(data)
            .defaultConfig(CONFIG)
            .maintenanceMode(LogManager.MaintenanceMode.INVOKER));
        toClose.add(logs);
        return logs;
    }

    private long appendRecords(final PartitionLog log, final int records)
    {
        long next = log.logEndOffset();
        for (int i = 0; i < records; i += 10)
        {
            assertEquals(next, batches.append(log, next, 10, TIMESTAMP_ORIGIN + next));
            next += 10;
        }
        return next;
    }

    /**
     * Append batches of 10 records until one is refused.
     *
     * @return the log end offset when refused.
     */
    private long appendUntilRefused(final PartitionLog log, final long expectedCode)
    {
        long next = log.logEndOffset();
        for (int i = 0; i < 100_000; i++)
        {
            final long result = batches.append(log, next, 10, TIMESTAMP_ORIGIN + next);
            if (result < 0)
            {
                assertEquals(expectedCode, result, "append refused with another code");
                assertEquals(next, log.logEndOffset());
                return next;
            }
            assertEquals(next, result);
            next += 10;
        }
        return fail("a 2 MiB device took " + next + " records");
    }

    private static long readAll(final PartitionLog log)
    {
        try (VerifyingReader reader = new VerifyingReader(64 * 1024, TIMESTAMP_ORIGIN))
        {
            return reader.readToEnd(log, 0);
        }
    }

    private static List<String> files(final PartitionLog log)
    {
        return new ArrayList<>(new TreeSet<>(Arrays.asList(log.directory().list())));
    }

    private long unallocated() throws IOException
    {
        return Files.getFileStore(device.toPath()).getUnallocatedSpace();
    }

    private static File fill(final File file, final long bytes) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            final FileChannel channel = raf.getChannel();
            final ByteBuffer ones = ByteBuffer.allocate(PAGE);
            Arrays.fill(ones.array(), (byte)1);
            for (long written = 0; written < bytes; )
            {
                ones.clear().limit((int)Math.min(PAGE, bytes - written));
                written += channel.write(ones);
            }
        }
        return file;
    }

    /**
     * Fill the device to its last page.
     */
    private static File fillUp(final File file) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw"))
        {
            final FileChannel channel = raf.getChannel();
            final ByteBuffer ones = ByteBuffer.allocate(PAGE);
            Arrays.fill(ones.array(), (byte)1);
            while (true)
            {
                ones.clear();
                channel.write(ones);
            }
        }
        catch (final IOException ex)
        {
            if (!LogStorageException.isDiskFull(ex))
            {
                throw ex;
            }
        }
        return file;
    }

    /**
     * Run a command to completion.
     *
     * @return null if it succeeded, otherwise its exit status and output.
     */
    private static String run(final String... command) throws InterruptedException
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
        try
        {
            final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                return String.join(" ", command) + " did not finish in 30 s";
            }
            return 0 == process.exitValue() ? null :
                String.join(" ", command) + " exited with " + process.exitValue() + ": " + output.trim();
        }
        catch (final IOException ex)
        {
            return ex.toString();
        }
        finally
        {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
