package io.sluice.transport.controller;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ClusterControl;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.client.ClusterEvent;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusterMarkFile;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.sluice.transport.HostPort;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.NoOpLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.TimeUnit;

/**
 * One member of the controller quorum: an Aeron Archive, a consensus module and the {@link ControllerService} in
 * its container, all on a media driver the caller owns (the broker's). Each node uses a block of ports from its base
 * port: see {@link Ports}.
 */
public final class ControllerNode implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(ControllerNode.class);
    /** Locked while a member runs on the directory, against a second process. */
    static final String LOCK_FILE = ".lock";

    /**
     * The port block of a node whose base (client) port is {@code PORT}.
     */
    public static final class Ports
    {
        /** The broker's client protocol. */
        public static final int CLIENT = 0;
        /** Replication between brokers. */
        public static final int REPLICATION = 1;
        /** Controller: cluster ingress (brokers' requests). */
        public static final int CONTROLLER_INGRESS = 2;
        /** Controller: consensus between members. */
        public static final int CONSENSUS = 3;
        /** Controller: the replicated log. */
        public static final int LOG = 4;
        /** Controller: catch-up of a lagging member. */
        public static final int CATCHUP = 5;
        /** Controller: the archive's control channel. */
        public static final int ARCHIVE_CONTROL = 6;
        /** Ports a node uses from its base port. */
        public static final int COUNT = 7;
        private static final int FIRST_BASE = 20_000;
        /** Whole blocks below Linux's ephemeral range (from 32768). */
        private static final int SPAN = (32_768 - FIRST_BASE) / COUNT * COUNT;
        /** Where the next block starts, from a random point: blocks handed out in one JVM never overlap. */
        private static final AtomicInteger NEXT =
            new AtomicInteger(ThreadLocalRandom.current().nextInt(SPAN / COUNT) * COUNT);

        private Ports()
        {
        }

        /**
         * A base port whose whole block is free for UDP on the loopback address now, for tests and tools that start
         * nodes on one machine. Another process may take a port before it is bound: callers retry on a bind failure.
         * The block lies below Linux's default range of ephemeral ports (32768 to 60999), from which every socket
         * bound to port 0 (a client's response channel, a test's probe) takes one: a block chosen there was taken
         * by the first brokers' own sockets before the last one bound it ("Address already in use" in CI). Blocks are
         * handed out one after another, not at random, so that two asked for before either is bound never overlap.
         *
         * @return the base port, from 20000 to 32760.
         * @throws IllegalStateException if no free block was found in 100 tries.
         */
        public static int freeLoopbackBlock()
        {
            for (int attempt = 0; attempt < 100; attempt++)
            {
                final int base = FIRST_BASE + Math.floorMod(NEXT.getAndAdd(COUNT), SPAN);
                boolean free = true;
                for (int i = 0; i < COUNT && free; i++)
                {
                    try (java.net.DatagramSocket socket =
                        new java.net.DatagramSocket(base + i, java.net.InetAddress.getLoopbackAddress()))
                    {
                        free = socket.isBound();
                    }
                    catch (final java.io.IOException ex)
                    {
                        free = false;
                    }
                }
                if (free)
                {
                    return base;
                }
            }
            throw new IllegalStateException("no free block of " + COUNT + " ports on the loopback address");
        }
    }

    /**
     * How to run a member. Timeouts default to values that fail a leader over in a few seconds.
     */
    public static final class Context
    {
        private int nodeId;
        private final TreeMap<Integer, HostPort> members = new TreeMap<>();
        private File directory;
        private String aeronDirectoryName;
        private long sessionTimeoutNs = TimeUnit.SECONDS.toNanos(9);
        private long leaderHeartbeatTimeoutNs = TimeUnit.SECONDS.toNanos(5);
        private long leaderHeartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(200);
        private long electionTimeoutNs = TimeUnit.SECONDS.toNanos(1);
        private long startupCanvassTimeoutNs = TimeUnit.SECONDS.toNanos(10);
        private long checkIntervalMs = 5_000;
        private int logTermLength = 1024 * 1024;
        private ErrorHandler errorHandler = ControllerNode::logError;
        private ClusterSecret secret;

        /**
         * @param secret the cluster's shared secret: every controller session must prove it holds it (see
         *               {@link ClusterSecret}); null lets any session in.
         * @return this.
         */
        public Context secret(final ClusterSecret secret)
        {
            this.secret = secret;
            return this;
        }

        /**
         * @param nodeId this member's id: a key of the members.
         * @return this.
         */
        public Context nodeId(final int nodeId)
        {
            this.nodeId = nodeId;
            return this;
        }

        /**
         * @param members every member's base address, by node id.
         * @return this.
         */
        public Context members(final Map<Integer, HostPort> members)
        {
            this.members.clear();
            this.members.putAll(members);
            return this;
        }

        /**
         * @param directory where the archive and the cluster's files go; kept across restarts.
         * @return this.
         */
        public Context directory(final File directory)
        {
            this.directory = directory;
            return this;
        }

        /**
         * @param aeronDirectoryName of the running media driver to use.
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * @param timeout after which a broker that stopped keeping its session alive is fenced.
         * @param unit    of the timeout.
         * @return this.
         */
        public Context sessionTimeout(final long timeout, final TimeUnit unit)
        {
            this.sessionTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        /**
         * @param timeout after which followers elect a new controller leader.
         * @param unit    of the timeout.
         * @return this.
         */
        public Context leaderHeartbeatTimeout(final long timeout, final TimeUnit unit)
        {
            this.leaderHeartbeatTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        /**
         * @param interval between the controller leader's heartbeats.
         * @param unit     of the interval.
         * @return this.
         */
        public Context leaderHeartbeatInterval(final long interval, final TimeUnit unit)
        {
            this.leaderHeartbeatIntervalNs = unit.toNanos(interval);
            return this;
        }

        /**
         * @param timeout of an election round.
         * @param unit    of the timeout.
         * @return this.
         */
        public Context electionTimeout(final long timeout, final TimeUnit unit)
        {
            this.electionTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        /**
         * @param timeout a starting member waits for the others before it elects with a majority.
         * @param unit    of the timeout.
         * @return this.
         */
        public Context startupCanvassTimeout(final long timeout, final TimeUnit unit)
        {
            this.startupCanvassTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        /**
         * @param checkIntervalMs between preferred-leader checks and metadata version announcements.
         * @return this.
         */
        public Context checkIntervalMs(final long checkIntervalMs)
        {
            this.checkIntervalMs = checkIntervalMs;
            return this;
        }

        /**
         * @param logTermLength term length of the replicated log's publication (a power of two, 64 KiB or more).
         * @return this.
         */
        public Context logTermLength(final int logTermLength)
        {
            this.logTermLength = logTermLength;
            return this;
        }

        /**
         * @param errorHandler for errors of the archive, the consensus module and the service.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * @return this member's id.
         */
        public int nodeId()
        {
            return nodeId;
        }

        /**
         * @return the members' base addresses by node id.
         */
        public Map<Integer, HostPort> members()
        {
            return java.util.Collections.unmodifiableMap(members);
        }
    }

    private final Context ctx;
    private final ControllerService service;
    private Archive archive;
    private ConsensusModule consensusModule;
    private ClusteredServiceContainer container;
    private FileChannel lockChannel;

    private ControllerNode(final Context ctx)
    {
        this.ctx = ctx;
        this.service = new ControllerService(ctx.checkIntervalMs);
    }

    /**
     * Start a member.
     *
     * @param ctx how.
     * @return the running member.
     */
    public static ControllerNode launch(final Context ctx)
    {
        Objects.requireNonNull(ctx.directory, "directory");
        Objects.requireNonNull(ctx.aeronDirectoryName, "aeronDirectoryName");
        final HostPort self = ctx.members.get(ctx.nodeId);
        if (null == self)
        {
            throw new IllegalArgumentException("node " + ctx.nodeId + " is not among the members " + ctx.members);
        }
        final ControllerNode node = new ControllerNode(ctx);
        try
        {
            node.start(self);
            return node;
        }
        catch (final RuntimeException ex)
        {
            node.close();
            throw ex;
        }
    }

    private void start(final HostPort self)
    {
        final String host = self.host();
        final File archiveDir = new File(ctx.directory, "archive");
        final File clusterDir = new File(ctx.directory, "cluster");
        final String localControl = "aeron:ipc?term-length=64k";
        lockDirectory();
        // Holding the lock, no other process runs this member: mark files still marked active were left by one that
        // was killed. Aeron refuses to start over an active mark file until it is 10 s stale; removed, a killed
        // member restarts at once.
        removeStaleMarkFile(new File(archiveDir, ArchiveMarkFile.FILENAME));
        removeStaleMarkFile(new File(clusterDir, ClusterMarkFile.FILENAME));
        removeStaleMarkFile(new File(clusterDir, ClusterMarkFile.markFilenameForService(0)));

        archive = Archive.launch(new Archive.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .archiveDir(archiveDir)
            .controlChannel(channel(host, port(self, Ports.ARCHIVE_CONTROL)))
            .localControlChannel(localControl)
            .replicationChannel(channel(host, 0))
            .archiveClientContext(new AeronArchive.Context().controlResponseChannel(channel(host, 0)))
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(ControllerNode::idle)
            .errorHandler(ctx.errorHandler));

        final AeronArchive.Context archiveClient = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .controlRequestChannel(localControl)
            .controlRequestStreamId(archive.context().localControlStreamId())
            .controlResponseChannel(localControl);

        consensusModule = ConsensusModule.launch(new ConsensusModule.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .clusterMemberId(ctx.nodeId)
            .clusterMembers(clusterMembers(ctx.members))
            .clusterDir(clusterDir)
            .archiveContext(archiveClient.clone())
            .serviceCount(1)
            .ingressChannel("aeron:udp")
            .logChannel("aeron:udp?term-length=" + ctx.logTermLength)
            .replicationChannel(channel(host, 0))
            .sessionTimeoutNs(ctx.sessionTimeoutNs)
            .leaderHeartbeatTimeoutNs(ctx.leaderHeartbeatTimeoutNs)
            .leaderHeartbeatIntervalNs(ctx.leaderHeartbeatIntervalNs)
            .electionTimeoutNs(ctx.electionTimeoutNs)
            .startupCanvassTimeoutNs(ctx.startupCanvassTimeoutNs)
            .idleStrategySupplier(ControllerNode::idle)
            .authenticatorSupplier(null == ctx.secret ? new io.aeron.security.DefaultAuthenticatorSupplier() :
                ctx.secret.authenticator())
            .errorHandler(ctx.errorHandler));

        container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .archiveContext(archiveClient.clone())
            .clusterDir(clusterDir)
            .clusteredService(service)
            .serviceId(0)
            .idleStrategySupplier(ControllerNode::idle)
            .errorHandler(ctx.errorHandler));
        LOG.info("controller member {} started: members {}", ctx.nodeId, ctx.members);
    }

    private void lockDirectory()
    {
        if (!ctx.directory.isDirectory() && !ctx.directory.mkdirs())
        {
            throw new IllegalStateException("cannot create the controller directory " + ctx.directory);
        }
        final File lockFile = new File(ctx.directory, LOCK_FILE);
        try
        {
            lockChannel = FileChannel.open(lockFile.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (null == lockChannel.tryLock())
            {
                throw new IllegalStateException("the controller directory " + ctx.directory +
                    " is locked by another process");
            }
        }
        catch (final OverlappingFileLockException ex)
        {
            throw new IllegalStateException("the controller directory " + ctx.directory +
                " is already in use in this process", ex);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot lock the controller directory " + ctx.directory, ex);
        }
    }

    private static void removeStaleMarkFile(final File markFile)
    {
        if (markFile.exists())
        {
            LOG.debug("removing the mark file of a stopped member: {}", markFile);
            if (!markFile.delete())
            {
                throw new IllegalStateException("cannot remove the stale mark file " + markFile);
            }
        }
    }

    /**
     * Aeron Cluster reports events of a running quorum, such as a lost leader's log ending, through the error
     * handler as {@link ClusterEvent}s: those are warnings, not errors.
     */
    private static void logError(final Throwable ex)
    {
        if (ex instanceof ClusterEvent)
        {
            LOG.warn("controller: {}", ex.getMessage());
        }
        else
        {
            LOG.error("controller error", ex);
        }
    }

    private static BackoffIdleStrategy idle()
    {
        return new BackoffIdleStrategy(10, 20, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(1));
    }

    private static String channel(final String host, final int port)
    {
        return "aeron:udp?endpoint=" + endpoint(host, port);
    }

    private static String endpoint(final String host, final int port)
    {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    private static int port(final HostPort base, final int offset)
    {
        return base.port() + offset;
    }

    /**
     * @param members base addresses by node id.
     * @return Aeron Cluster's members string: {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    static String clusterMembers(final Map<Integer, HostPort> members)
    {
        final StringJoiner joiner = new StringJoiner("|");
        for (final Map.Entry<Integer, HostPort> member : new TreeMap<>(members).entrySet())
        {
            final HostPort base = member.getValue();
            joiner.add(member.getKey() + "," +
                endpoint(base.host(), port(base, Ports.CONTROLLER_INGRESS)) + "," +
                endpoint(base.host(), port(base, Ports.CONSENSUS)) + "," +
                endpoint(base.host(), port(base, Ports.LOG)) + "," +
                endpoint(base.host(), port(base, Ports.CATCHUP)) + "," +
                endpoint(base.host(), port(base, Ports.ARCHIVE_CONTROL)));
        }
        return joiner.toString();
    }

    /**
     * @param members base addresses by node id.
     * @return the cluster client's ingress endpoints: {@code id=host:port,...}.
     */
    public static String ingressEndpoints(final Map<Integer, HostPort> members)
    {
        final StringJoiner joiner = new StringJoiner(",");
        for (final Map.Entry<Integer, HostPort> member : new TreeMap<>(members).entrySet())
        {
            final HostPort base = member.getValue();
            joiner.add(member.getKey() + "=" + endpoint(base.host(), port(base, Ports.CONTROLLER_INGRESS)));
        }
        return joiner.toString();
    }

    /**
     * @return this member's id.
     */
    public int nodeId()
    {
        return ctx.nodeId;
    }

    /**
     * @return this member's role in the quorum now.
     */
    public Cluster.Role role()
    {
        return Cluster.Role.get(consensusModule.context().clusterNodeRoleCounter());
    }

    /**
     * Ask the quorum to snapshot its state, which lets a restart replay only the log after it. Only the leader
     * acts on it.
     *
     * @return whether the request was made (this member leads and no other control action is pending).
     */
    public boolean takeSnapshot()
    {
        return role() == Cluster.Role.LEADER &&
            ClusterControl.ToggleState.SNAPSHOT.toggle(consensusModule.context().controlToggleCounter());
    }

    /**
     * @return the state machine of this member's service. Read it only when the member is closed, or accept that
     *         it is being changed by the service's thread.
     */
    ControllerStateMachine stateMachine()
    {
        return service.stateMachine();
    }

    public void close()
    {
        try
        {
            CloseHelper.closeAll(container, consensusModule, archive);
        }
        finally
        {
            CloseHelper.quietClose(lockChannel); // releases the lock
        }
    }
}
