package io.sluice.perf.e2e;

import io.aeron.AeronCounters;
import io.aeron.CncFileDescriptor;
import io.sluice.broker.SluiceBroker;
import io.sluice.perf.ForkFlags;
import org.agrona.DirectBuffer;
import org.agrona.IoUtil;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One Sluice broker, a member of a cluster, in a child JVM that can be SIGKILLed and started again on the same data
 * directory and ports. The child runs {@link #main} of this class from this JVM's class path (the perf jar, or the
 * classes and their dependencies in a build), so it needs no other distribution:
 * <ul>
 *   <li>the child launches {@link SluiceBroker} with {@code data.dir}, {@code broker.id}, {@code cluster} and any
 *   other broker property given, prints {@value #READY}{@code <aeron directory>} once the broker accepts clients,
 *   and runs until its standard input closes (the parent's {@link #stop()}, or the parent dying), then closes the
 *   broker; a SIGTERM or SIGINT closes it too (Ctrl-C reaches the whole process group);</li>
 *   <li>its output goes to {@value #LOG_FILE} in the member's directory, appended across restarts: the broker's
 *   warnings with the time of day, and every start's ready line;</li>
 *   <li>{@link #kill()} sends SIGKILL ({@link Process#destroyForcibly()}), waits for the JVM to exit and removes the
 *   media driver's directory, which a killed driver cannot.</li>
 * </ul>
 * Threads: one thread drives a member.
 */
final class SluiceBrokerProcess implements AutoCloseable
{
    /** {@link #controllerRole()} of a member that leads the controller quorum (Aeron Cluster's LEADER). */
    static final int CONTROLLER_LEADER = 2;
    /** What the child prints, followed by its media driver's directory, once it accepts clients. */
    static final String READY = "ready ";
    static final String LOG_FILE = "broker.log";
    static final String DATA_DIRECTORY = "data";
    static final long START_TIMEOUT_MS = 60_000;
    static final long STOP_TIMEOUT_MS = 20_000;

    private static final long POLL_MS = 20;
    private static final int LOG_TAIL_BYTES = 4 * 1024;

    private final File directory;
    private final int brokerId;
    private final String cluster;
    private final Map<String, String> properties;
    private final List<String> jvmFlags;
    private final File logFile;
    private Process process;
    private long logStart;
    private String aeronDirectory;

    /**
     * Child entry point: {@code DATA_DIR BROKER_ID CLUSTER [KEY=VALUE ...]}, the rest broker properties.
     *
     * @param args as above.
     * @throws IOException if standard input fails.
     */
    public static void main(final String[] args) throws IOException
    {
        final SluiceBroker.Context context = new SluiceBroker.Context()
            .dataDirectory(new File(args[0]))
            .brokerId(Integer.parseInt(args[1]))
            .cluster(args[2]);
        for (int i = 3; i < args.length; i++)
        {
            final int equals = args[i].indexOf('=');
            context.set(args[i].substring(0, equals), args[i].substring(equals + 1));
        }
        final SluiceBroker broker = SluiceBroker.launch(context);
        final Thread closeOnSignal = new Thread(broker::close, "sluice-perf-broker-close");
        Runtime.getRuntime().addShutdownHook(closeOnSignal);
        System.out.println(READY + broker.aeronDirectoryName());
        System.out.flush();
        while (System.in.read() >= 0)
        {
            // the parent holds standard input open for as long as the broker should run
        }
        broker.close();
        System.out.flush();
        System.exit(0);
    }

    /**
     * A member, not started yet.
     *
     * @param directory  of the member: its data directory ({@value #DATA_DIRECTORY}) and log go there.
     * @param brokerId   its id in {@code cluster}.
     * @param cluster    the quorum, {@code ID@HOST:PORT,...}.
     * @param properties further broker properties ({@code SluiceBroker.Context#set}).
     * @param jvmFlags   heap and GC flags of the child JVM.
     */
    SluiceBrokerProcess(
        final File directory,
        final int brokerId,
        final String cluster,
        final Map<String, String> properties,
        final List<String> jvmFlags)
    {
        this.directory = directory;
        this.brokerId = brokerId;
        this.cluster = cluster;
        this.properties = Map.copyOf(properties);
        this.jvmFlags = List.copyOf(jvmFlags);
        this.logFile = new File(directory, LOG_FILE);
    }

    /**
     * Start the child JVM; {@link #awaitReady} waits for it to accept clients.
     *
     * @throws IOException if the JVM cannot be started.
     * @throws IllegalStateException if it is running already.
     */
    void launch() throws IOException
    {
        if (null != process && process.isAlive())
        {
            throw new IllegalStateException("broker " + brokerId + " is running");
        }
        if (!directory.isDirectory() && !directory.mkdirs())
        {
            throw new IOException("cannot create " + directory);
        }
        final List<String> command = new ArrayList<>();
        command.add(new File(new File(System.getProperty("java.home"), "bin"), "java").getPath());
        command.addAll(jvmFlags);
        command.addAll(ForkFlags.OPENS);
        // The broker's warnings (slf4j-simple, see simplelogger.properties) with the time, to line them up with a run;
        // named, since a test class path also holds the Kafka broker's provider (log4j), which would hide them.
        command.add("-Dslf4j.provider=org.slf4j.simple.SimpleServiceProvider");
        command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(SluiceBrokerProcess.class.getName());
        command.add(new File(directory, DATA_DIRECTORY).getAbsolutePath());
        command.add(Integer.toString(brokerId));
        command.add(cluster);
        properties.forEach((key, value) -> command.add(key + '=' + value));
        logStart = logFile.length();
        aeronDirectory = null;
        process = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile))
            .start();
    }

    /**
     * Wait until the child prints that it accepts clients.
     *
     * @param deadlineNs {@link System#nanoTime()} to give up at.
     * @throws InterruptedException if interrupted.
     * @throws IllegalStateException if the child exits or is not ready in time; its log is quoted.
     */
    void awaitReady(final long deadlineNs) throws InterruptedException
    {
        while (null == (aeronDirectory = readyLine()))
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException("broker " + brokerId + " exited with code " + process.exitValue() +
                    " while starting" + logTail());
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("broker " + brokerId + " did not start within the time allowed" +
                    logTail());
            }
            Thread.sleep(POLL_MS);
        }
    }

    /**
     * SIGKILL: the broker gets no chance to flush, close or say goodbye. Waits for its JVM to exit, then removes its
     * media driver's directory.
     *
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalStateException if the JVM is still there after {@value #STOP_TIMEOUT_MS} ms.
     */
    void kill() throws InterruptedException
    {
        if (null == process)
        {
            return;
        }
        process.destroyForcibly();
        if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
        {
            throw new IllegalStateException("broker " + brokerId + " survived SIGKILL: pid " + process.pid());
        }
        removeAeronDirectory();
    }

    /**
     * Stop the broker cleanly: close its standard input, so it closes the broker and exits; SIGKILL after
     * {@value #STOP_TIMEOUT_MS} ms. Idempotent.
     */
    void stop()
    {
        if (null == process || !process.isAlive())
        {
            removeAeronDirectory();
            return;
        }
        stopAsync();
        try
        {
            if (!process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        removeAeronDirectory();
    }

    /**
     * Tell the broker to stop (close its standard input) without waiting; {@link #stop()} waits.
     */
    void stopAsync()
    {
        if (null != process && process.isAlive())
        {
            try
            {
                final OutputStream stdin = process.getOutputStream();
                stdin.close();
            }
            catch (final IOException ignore)
            {
                // the child is going anyway
            }
        }
    }

    /**
     * Stop the broker; see {@link #stop()}.
     */
    public void close()
    {
        stop();
    }

    /**
     * @return the broker's id.
     */
    int brokerId()
    {
        return brokerId;
    }

    /**
     * @return whether the child JVM runs.
     */
    boolean isAlive()
    {
        return null != process && process.isAlive();
    }

    /**
     * @return the child JVM, or null before the first launch.
     */
    ProcessHandle processHandle()
    {
        return null == process ? null : process.toHandle();
    }

    /**
     * @return the child's media driver directory, once ready; null before.
     */
    String aeronDirectory()
    {
        return aeronDirectory;
    }

    /**
     * The member's role in the controller quorum, read from the Aeron Cluster node role counter in its media driver's
     * counters file (as {@code AeronStat} would).
     *
     * @return 0 follower, 1 candidate, {@value #CONTROLLER_LEADER} leader; -1 if it cannot be read (not running).
     */
    int controllerRole()
    {
        final String directoryName = aeronDirectory;
        if (null == directoryName || !isAlive())
        {
            return -1;
        }
        final File cncFile = new File(directoryName, CncFileDescriptor.CNC_FILE);
        MappedByteBuffer cnc = null;
        try
        {
            cnc = IoUtil.mapExistingFile(cncFile, "cnc");
            final DirectBuffer metaData = CncFileDescriptor.createMetaDataBuffer(cnc);
            final CountersReader counters = new CountersReader(
                CncFileDescriptor.createCountersMetaDataBuffer(cnc, metaData),
                CncFileDescriptor.createCountersValuesBuffer(cnc, metaData));
            final long[] role = { -1 };
            counters.forEach((counterId, typeId, keyBuffer, label) ->
            {
                if (AeronCounters.CLUSTER_NODE_ROLE_TYPE_ID == typeId)
                {
                    role[0] = counters.getCounterValue(counterId);
                }
            });
            return (int)role[0];
        }
        catch (final RuntimeException ex)
        {
            return -1;
        }
        finally
        {
            if (null != cnc)
            {
                IoUtil.unmap(cnc);
            }
        }
    }

    /**
     * @return the member's directory.
     */
    File directory()
    {
        return directory;
    }

    /**
     * The end of the child's output, for error messages.
     *
     * @return {@code "; last N bytes of broker.log: ..."}, or empty.
     */
    String logTail()
    {
        if (!logFile.exists())
        {
            return "";
        }
        try (RandomAccessFile raf = new RandomAccessFile(logFile, "r"))
        {
            final long length = raf.length();
            final int count = (int)Math.min(length, LOG_TAIL_BYTES);
            final byte[] bytes = new byte[count];
            raf.seek(length - count);
            raf.readFully(bytes);
            return "; last " + count + " bytes of " + logFile + ":\n" + new String(bytes, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "; cannot read " + logFile + ": " + ex;
        }
    }

    private void removeAeronDirectory()
    {
        if (null != aeronDirectory)
        {
            IoUtil.delete(new File(aeronDirectory), true);
        }
    }

    private String readyLine()
    {
        try (RandomAccessFile raf = new RandomAccessFile(logFile, "r"))
        {
            final long length = raf.length();
            if (length <= logStart)
            {
                return null;
            }
            final byte[] bytes = new byte[(int)Math.min(length - logStart, 1024 * 1024)];
            raf.seek(logStart);
            raf.readFully(bytes);
            for (final String line : new String(bytes, StandardCharsets.UTF_8).split("\n"))
            {
                if (line.startsWith(READY))
                {
                    return line.substring(READY.length()).trim();
                }
            }
            return null;
        }
        catch (final IOException ex)
        {
            return null;
        }
    }
}
