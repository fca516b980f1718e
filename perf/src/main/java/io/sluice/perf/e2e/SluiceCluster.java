package io.sluice.perf.e2e;

import io.sluice.perf.PerfFiles;
import io.sluice.transport.TopicDescription;
import io.sluice.transport.controller.ControllerNode;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Sluice brokers in cluster mode on loopback, each in a child JVM ({@link SluiceBrokerProcess}), for the
 * {@code sluice-cluster} target and the failover benchmark:
 * <ul>
 *   <li>a fresh directory {@code sluice-perf-cluster-*} under the given parent holds {@code node-ID/} per member
 *   (its {@code data/} and {@code broker.log}); {@link #close()} deletes it;</li>
 *   <li>member {@code i} has the base port {@code P + i * }{@value #PORT_SPACING} (a member uses
 *   {@code ControllerNode.Ports.COUNT} ports from its base), where every port of the three blocks was free on
 *   127.0.0.1 when chosen, below Linux's ephemeral range so that a restarted member finds its ports free again;</li>
 *   <li>all members start at once; {@link #start} returns when each accepts clients (the quorum may still be
 *   electing: topic admin retries, see {@link #awaitTopic}).</li>
 * </ul>
 * A shutdown hook stops the members if this JVM exits first (Ctrl-C); a member also stops by itself when this JVM
 * dies, since its standard input closes.
 * <p>
 * Threads: one thread drives the cluster.
 */
final class SluiceCluster implements AutoCloseable
{
    static final int PORT_SPACING = 10;
    static final String HOST = "127.0.0.1";
    /** The heap and GC flags of every member's JVM: those Kafka's start script gives its broker. */
    static final List<String> JVM_FLAGS = KafkaBrokerProcess.BROKER_JVM_FLAGS;

    private static final int LOWEST_BASE_PORT = 20_000;
    /** Linux's default ephemeral range starts at 32768. */
    private static final int HIGHEST_PORT = 32_000;
    private static final long POLL_MS = 100;
    private static final long WRITE_BACK_POLL_MS = 500;
    /** Bytes of page cache not yet on the disk below which the disk counts as quiet. */
    static final long WRITE_BACK_QUIET_BYTES = 64L * 1024 * 1024;

    private final File directory;
    private final SluiceBrokerProcess[] members;
    private final String clusterMembers;
    private final String bootstrap;
    private final Thread shutdownHook;
    private boolean closed;

    private SluiceCluster(
        final File directory, final int size, final int basePort, final Map<String, String> properties)
    {
        this.directory = directory;
        final StringJoiner clusterJoiner = new StringJoiner(",");
        final StringJoiner bootstrapJoiner = new StringJoiner(",");
        for (int i = 0; i < size; i++)
        {
            final String address = HOST + ":" + (basePort + i * PORT_SPACING);
            clusterJoiner.add(i + "@" + address);
            bootstrapJoiner.add(address);
        }
        this.clusterMembers = clusterJoiner.toString();
        this.bootstrap = bootstrapJoiner.toString();
        this.members = new SluiceBrokerProcess[size];
        for (int i = 0; i < size; i++)
        {
            members[i] = new SluiceBrokerProcess(
                new File(directory, "node-" + i), i, clusterMembers, properties, JVM_FLAGS);
        }
        this.shutdownHook = new Thread(this::stopAndDelete, "sluice-perf-cluster-cleanup");
    }

    /**
     * Start a cluster and wait until every member accepts clients.
     *
     * @param parentDirectory under which the cluster's directory is created.
     * @param size            members, 1 or more.
     * @param properties      broker properties every member gets, besides its id, cluster and data directory.
     * @return the running cluster; close it.
     * @throws IOException          if a JVM cannot be started.
     * @throws InterruptedException if interrupted while waiting.
     * @throws IllegalStateException if a member fails to start, with the end of its log.
     */
    static SluiceCluster start(final File parentDirectory, final int size, final Map<String, String> properties)
        throws IOException, InterruptedException
    {
        final File directory = PerfFiles.createDirectory(parentDirectory, "sluice-perf-cluster-");
        final SluiceCluster cluster = new SluiceCluster(directory, size, freeBasePort(size), properties);
        Runtime.getRuntime().addShutdownHook(cluster.shutdownHook);
        try
        {
            for (final SluiceBrokerProcess member : cluster.members)
            {
                member.launch();
            }
            final long deadlineNs = System.nanoTime() +
                TimeUnit.MILLISECONDS.toNanos(SluiceBrokerProcess.START_TIMEOUT_MS);
            for (final SluiceBrokerProcess member : cluster.members)
            {
                member.awaitReady(deadlineNs);
            }
            return cluster;
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            cluster.close();
            throw ex;
        }
    }

    /**
     * @return the quorum as the brokers' {@code cluster} property: {@code 0@127.0.0.1:P,1@127.0.0.1:P+10,...}.
     */
    String clusterMembers()
    {
        return clusterMembers;
    }

    /**
     * @return every member's client address, {@code 127.0.0.1:P,127.0.0.1:P+10,...}: a client's bootstrap list.
     */
    String bootstrap()
    {
        return bootstrap;
    }

    /**
     * @param brokerId of a member.
     * @return its client address.
     */
    String address(final int brokerId)
    {
        return bootstrap.split(",")[brokerId];
    }

    /**
     * @return the number of members.
     */
    int size()
    {
        return members.length;
    }

    /**
     * @param brokerId of a member.
     * @return the member.
     */
    SluiceBrokerProcess member(final int brokerId)
    {
        return members[brokerId];
    }

    /**
     * @return the cluster's directory, deleted on close.
     */
    File directory()
    {
        return directory;
    }

    /**
     * SIGKILL a member and wait for its JVM to exit.
     *
     * @param brokerId of the member.
     * @throws InterruptedException if interrupted.
     */
    void kill(final int brokerId) throws InterruptedException
    {
        members[brokerId].kill();
    }

    /**
     * Start a stopped or killed member again, on its data directory and ports, and wait until it accepts clients.
     *
     * @param brokerId of the member.
     * @throws IOException          if its JVM cannot be started.
     * @throws InterruptedException if interrupted.
     */
    void restart(final int brokerId) throws IOException, InterruptedException
    {
        members[brokerId].launch();
        members[brokerId].awaitReady(
            System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SluiceBrokerProcess.START_TIMEOUT_MS));
    }

    /**
     * Each member's state, for error messages: whether its JVM runs, and the end of its log.
     *
     * @return one paragraph per member.
     */
    String state()
    {
        final StringBuilder state = new StringBuilder();
        for (final SluiceBrokerProcess member : members)
        {
            state.append("\nbroker ").append(member.brokerId()).append(member.isAlive() ? " running" : " not running")
                .append(member.logTail());
        }
        return state.toString();
    }

    /**
     * Copy every member's log ({@value SluiceBrokerProcess#LOG_FILE}: warnings with the time of day, a ready line per
     * start) to {@code broker-ID.log} in a directory, quietly: for the results of a run.
     *
     * @param target an existing directory.
     */
    void copyLogsTo(final File target)
    {
        for (final SluiceBrokerProcess member : members)
        {
            try
            {
                final File log = new File(member.directory(), SluiceBrokerProcess.LOG_FILE);
                if (log.exists())
                {
                    Files.copy(log.toPath(), new File(target, "broker-" + member.brokerId() + ".log").toPath(),
                        StandardCopyOption.REPLACE_EXISTING);
                }
            }
            catch (final IOException ignore)
            {
                // the logs are a convenience
            }
        }
    }

    /**
     * Stop every member and delete the cluster's directory. Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        stopAndDelete();
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException ignore)
        {
            // the JVM is shutting down: the hook does the same
        }
    }

    /**
     * How a benchmark looks a topic up: any call that describes it, through whichever client it uses.
     */
    @FunctionalInterface
    interface TopicLookup
    {
        /**
         * @return the topic's description.
         * @throws Exception if it cannot be had now (no quorum yet, a broker away): the caller tries again.
         */
        TopicDescription describe() throws Exception;
    }

    /**
     * Wait until every partition of a topic has a leader and {@code replicas} in-sync replicas.
     *
     * @param lookup     describes the topic.
     * @param partitions of the topic.
     * @param replicas   the size of a full ISR.
     * @param timeoutNs  the longest to wait.
     * @return the description that had them.
     * @throws InterruptedException if interrupted.
     * @throws IllegalStateException if not in time, with the last description or failure.
     */
    static TopicDescription awaitTopic(
        final TopicLookup lookup, final int partitions, final int replicas, final long timeoutNs)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        Object last = "nothing";
        while (true)
        {
            try
            {
                final TopicDescription description = lookup.describe();
                last = description;
                if (hasFullIsr(description, partitions, replicas))
                {
                    return description;
                }
            }
            catch (final Exception ex)
            {
                last = ex;
            }
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("no leader and " + replicas + " in-sync replicas for every " +
                    "partition within " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) + " ms; last: " + last);
            }
            Thread.sleep(POLL_MS);
        }
    }

    /**
     * Wait until every partition is led by its preferred replica (the first of its replicas), as the controller
     * moves leadership back to a broker that returns (it checks every second). Until then a leader change is due.
     *
     * @param lookup    describes the topic.
     * @param timeoutNs the longest to wait.
     * @return the description that had them, or null if not in time.
     * @throws InterruptedException if interrupted.
     */
    static TopicDescription awaitPreferredLeaders(final TopicLookup lookup, final long timeoutNs)
        throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        do
        {
            try
            {
                final TopicDescription description = lookup.describe();
                if (description.partitions().stream()
                    .allMatch((partition) -> partition.leader() == partition.replicas().get(0)))
                {
                    return description;
                }
            }
            catch (final Exception ex)
            {
                // try again
            }
            Thread.sleep(POLL_MS);
        }
        while (System.nanoTime() - deadlineNs < 0);
        return null;
    }

    /**
     * Write the cluster's files to the disk now ({@code fsync} of every file in its directory, from this thread).
     * A new partition's replicas write their first and their prepared segment in full (with the default 256 MiB
     * segments and their indexes, over 500 MiB per replica), and the kernel would otherwise write that back about 30 s
     * later ({@code vm.dirty_expire_centisecs}), in the middle of a measurement; with yielding brokers on 2 cores its
     * flusher threads also get so little CPU that the write-back took over a minute here. An {@code fsync} writes in
     * the caller's context, so this takes as long as the disk needs.
     *
     * @return the bytes of the files flushed.
     */
    long flushToDisk()
    {
        final long[] bytes = { 0 };
        try (Stream<Path> paths = Files.walk(directory.toPath()))
        {
            paths.filter(Files::isRegularFile).forEach((path) ->
            {
                try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
                {
                    channel.force(true);
                    bytes[0] += channel.size();
                }
                catch (final IOException | RuntimeException ignore)
                {
                    // a file deleted meanwhile (a rolled segment): nothing to write
                }
            });
        }
        catch (final IOException | RuntimeException ignore)
        {
            // best effort: awaitWriteBack checks what is left
        }
        return bytes[0];
    }

    /**
     * Wait until the machine's page cache holds less than {@value #WRITE_BACK_QUIET_BYTES} bytes not yet written to
     * the disk ({@code Dirty} + {@code Writeback} of {@code /proc/meminfo}) in two readings
     * {@value #WRITE_BACK_POLL_MS} ms apart: after {@link #flushToDisk()}, a check that the disk is quiet before a
     * measurement (measuring during a write-back would measure it: a broker's agent thread that calls {@code fsync}
     * waits behind it). Without {@code /proc/meminfo} (not Linux) it returns at once.
     *
     * @param timeoutNs the longest to wait.
     * @return the bytes still pending at the end, or -1 if they cannot be read.
     * @throws InterruptedException if interrupted.
     */
    static long awaitWriteBack(final long timeoutNs) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + timeoutNs;
        long pending = pendingWriteBack();
        int quietReadings = 0;
        while (pending >= 0 && quietReadings < 2 && System.nanoTime() - deadlineNs < 0)
        {
            Thread.sleep(WRITE_BACK_POLL_MS);
            pending = pendingWriteBack();
            quietReadings = pending < WRITE_BACK_QUIET_BYTES ? quietReadings + 1 : 0;
        }
        return pending;
    }

    /**
     * @return {@code Dirty} + {@code Writeback} of {@code /proc/meminfo} in bytes, or -1 if it cannot be read.
     */
    static long pendingWriteBack()
    {
        try
        {
            long kilobytes = 0;
            for (final String line : Files.readAllLines(Path.of("/proc/meminfo")))
            {
                if (line.startsWith("Dirty:") || line.startsWith("Writeback:"))
                {
                    kilobytes += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return kilobytes * 1024;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * @param description of a topic.
     * @param partitions  it should have.
     * @param replicas    the size of a full ISR.
     * @return whether every partition has a leader and a full ISR.
     */
    static boolean hasFullIsr(final TopicDescription description, final int partitions, final int replicas)
    {
        if (description.partitions().size() != partitions)
        {
            return false;
        }
        for (final TopicDescription.PartitionDescription partition : description.partitions())
        {
            if (partition.leader() < 0 || partition.isr().size() != replicas)
            {
                return false;
            }
        }
        return true;
    }

    private synchronized void stopAndDelete()
    {
        // Every member is told at once: the last ones standing need not wait for the quorum.
        for (final SluiceBrokerProcess member : members)
        {
            member.stopAsync();
        }
        for (final SluiceBrokerProcess member : members)
        {
            member.stop();
        }
        PerfFiles.deleteRecursively(directory);
    }

    /**
     * A base port P such that P to P + (size - 1) * {@value #PORT_SPACING} + {@code Ports.COUNT} - 1 are free for UDP
     * on 127.0.0.1 now.
     */
    private static int freeBasePort(final int size)
    {
        final int span = (size - 1) * PORT_SPACING + ControllerNode.Ports.COUNT;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = ThreadLocalRandom.current().nextInt(LOWEST_BASE_PORT, HIGHEST_PORT - span);
            if (allFree(base, size))
            {
                return base;
            }
        }
        throw new IllegalStateException("no free block of UDP ports on " + HOST + " in 100 tries");
    }

    private static boolean allFree(final int base, final int size)
    {
        for (int member = 0; member < size; member++)
        {
            for (int i = 0; i < ControllerNode.Ports.COUNT; i++)
            {
                try (DatagramSocket ignore = new DatagramSocket(
                    base + member * PORT_SPACING + i, InetAddress.getByName(HOST)))
                {
                    // free
                }
                catch (final IOException | RuntimeException ex)
                {
                    return false;
                }
            }
        }
        return true;
    }
}
