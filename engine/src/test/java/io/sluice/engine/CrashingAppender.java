package io.sluice.engine;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Child process of {@link PartitionLogCrashTest}: opens a data directory with a {@link LogManager} (dedicated
 * maintenance thread, so segments are prepared and pretouched as in a broker) and appends batches of 1 to 20 records
 * to partition 0 of a topic as fast as it can, until it is killed.
 * <p>
 * Arguments: data directory, topic, random seed, and optionally the {@link LogManager.MaintenanceMode} (dedicated by
 * default; with invoker, maintenance never runs). Standard output, one line per write, flushed:
 * <pre>
 * ready &lt;log end offset after recovery&gt;
 * &lt;base offset&gt; &lt;record count&gt;      once append has returned that base offset
 * error &lt;description&gt;               then exit status 2
 * </pre>
 * It halts when its standard input closes, so it never outlives a test JVM that died.
 */
final class CrashingAppender
{
    static final long TIMESTAMP_ORIGIN = 1_700_000_000_000L;

    private CrashingAppender()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final File dataDirectory = new File(args[0]);
        final String topic = args[1];
        final Random random = new Random(Long.parseLong(args[2]));
        final OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 256);

        final Thread parentWatch = new Thread(CrashingAppender::haltWhenStdinCloses, "parent-watch");
        parentWatch.setDaemon(true);
        parentWatch.start();

        final LogManager.MaintenanceMode mode = args.length > 3 ?
            LogManager.MaintenanceMode.valueOf(args[3]) : LogManager.MaintenanceMode.DEDICATED;
        final LogManager logs = LogManager.open(
            new LogManager.Context().dataDirectory(dataDirectory).maintenanceMode(mode));
        final PartitionLog log = logs.log(topic, 0);
        if (null == log)
        {
            println(out, "error no partition " + topic + "-0 in " + dataDirectory);
            System.exit(2);
        }

        final TestBatches batches = new TestBatches();
        long next = log.logEndOffset();
        println(out, "ready " + next);
        while (true)
        {
            final int count = 1 + random.nextInt(20);
            final int length = batches.batch(next, count, TIMESTAMP_ORIGIN + next);
            final long baseOffset = log.append(batches.buffer, 0, length);
            if (baseOffset != next)
            {
                println(out, "error append returned " + baseOffset + " where " + next + " was expected");
                System.exit(2);
            }
            next += count;
            println(out, baseOffset + " " + count);
        }
    }

    /**
     * One write system call per line: a pipe write of at most 4 KiB is atomic, so the parent never sees half a line.
     */
    private static void println(final OutputStream out, final String line) throws IOException
    {
        out.write((line + '\n').getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void haltWhenStdinCloses()
    {
        try
        {
            while (System.in.read() >= 0)
            {
                // the parent writes nothing; only end of stream matters
            }
        }
        catch (final IOException ignore)
        {
            // treated as end of stream
        }
        Runtime.getRuntime().halt(3);
    }
}
