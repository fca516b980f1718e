package io.sluice.transport.controller;

import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.aeron.logbuffer.Header;
import io.sluice.codecs.controller.ControllerError;
import io.sluice.transport.AeronErrors;
import io.sluice.transport.HostPort;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A broker's link to the controller quorum: one Aeron Cluster session, which is also the broker's liveness. It
 * registers the broker, keeps a copy of the cluster metadata up to date from the controller's records (fetching a
 * whole image when it sees a gap, a newer announced version or a new controller leader), and carries requests
 * (create and delete topic, alter partition) whose answers complete futures.
 * <p>
 * An {@link Agent}: all of its work, listener calls and future completions included, happens on the thread that
 * runs {@link #doWork()}. Requests may be made from any thread. When the session is lost (the controller timed it
 * out, or the quorum was unreachable) it connects again and registers with the same incarnation.
 */
public final class ControllerClient implements Agent
{
    private static final Logger LOG = LoggerFactory.getLogger(ControllerClient.class);

    /**
     * Told of metadata changes, on the client's thread.
     */
    public interface Listener
    {
        /**
         * A whole image replaced what the client held.
         *
         * @param metadata the image.
         */
        void onImage(ClusterMetadata metadata);

        /**
         * One record was applied.
         *
         * @param record   what changed.
         * @param metadata the image after it.
         */
        void onRecord(MetadataRecord record, ClusterMetadata metadata);
    }

    /**
     * What a controller request came to.
     *
     * @param error           {@link ControllerError#NONE} on success.
     * @param metadataVersion the controller's version when it answered.
     * @param message         why not.
     */
    public record Response(ControllerError error, long metadataVersion, String message)
    {
        /**
         * @return whether the request succeeded.
         */
        public boolean isOk()
        {
            return error == ControllerError.NONE;
        }
    }

    /**
     * How to reach the quorum and who this broker is.
     */
    public static final class Context
    {
        private int nodeId;
        private long incarnationId;
        private HostPort advertised;
        private int replicationPort;
        private final Map<Integer, HostPort> members = new HashMap<>();
        private String aeronDirectoryName;
        private long requestTimeoutNs = TimeUnit.SECONDS.toNanos(30);
        private long keepAliveIntervalNs = TimeUnit.SECONDS.toNanos(1);
        private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(5);
        private ClusterSecret secret;
        private Listener listener = new Listener()
        {
            public void onImage(final ClusterMetadata metadata)
            {
            }

            public void onRecord(final MetadataRecord record, final ClusterMetadata metadata)
            {
            }
        };

        public Context nodeId(final int nodeId)
        {
            this.nodeId = nodeId;
            return this;
        }

        /**
         * @param secret the cluster's shared secret, proven to the quorum on connect; null for a quorum without one.
         * @return this.
         */
        public Context secret(final ClusterSecret secret)
        {
            this.secret = secret;
            return this;
        }

        public Context incarnationId(final long incarnationId)
        {
            this.incarnationId = incarnationId;
            return this;
        }

        /**
         * @param advertised where clients reach this broker (host and client port).
         * @return this.
         */
        public Context advertised(final HostPort advertised)
        {
            this.advertised = advertised;
            return this;
        }

        public Context replicationPort(final int replicationPort)
        {
            this.replicationPort = replicationPort;
            return this;
        }

        /**
         * @param members the quorum members' base addresses by node id.
         * @return this.
         */
        public Context members(final Map<Integer, HostPort> members)
        {
            this.members.clear();
            this.members.putAll(members);
            return this;
        }

        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        public Context requestTimeout(final long timeout, final TimeUnit unit)
        {
            this.requestTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        public Context keepAliveInterval(final long interval, final TimeUnit unit)
        {
            this.keepAliveIntervalNs = unit.toNanos(interval);
            return this;
        }

        public Context connectTimeout(final long timeout, final TimeUnit unit)
        {
            this.connectTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        public Context listener(final Listener listener)
        {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }
    }

    private enum State
    {
        DISCONNECTED, CONNECTING, REGISTERING, READY, CLOSED
    }

    private static final class Pending
    {
        final CompletableFuture<Response> future;
        final byte[] request;
        final long deadlineNs;
        boolean sent;

        Pending(final CompletableFuture<Response> future, final byte[] request, final long deadlineNs)
        {
            this.future = future;
            this.request = request;
            this.deadlineNs = deadlineNs;
        }
    }

    private final Context ctx;
    private final Aeron aeron;
    private final ControllerCodec codec = new ControllerCodec();
    private final ClusterMetadata metadata = new ClusterMetadata();
    private final ManyToOneConcurrentLinkedQueue<Runnable> commands = new ManyToOneConcurrentLinkedQueue<>();
    private final LinkedHashMap<Long, Pending> pending = new LinkedHashMap<>();
    private final EgressHandler egressHandler = new EgressHandler();
    private State state = State.DISCONNECTED;
    private AeronCluster.AsyncConnect connecting;
    private AeronCluster cluster;
    private long nextCorrelationId = 1;
    private long registrationId;
    private long nextKeepAliveNs;
    private long retryAtNs;
    private boolean hasImage;
    private boolean imageRequested;
    private volatile boolean registered;
    private volatile long version;

    /**
     * @param ctx the broker's identity and the quorum's addresses.
     */
    public ControllerClient(final Context ctx)
    {
        this.ctx = ctx;
        Objects.requireNonNull(ctx.advertised, "advertised");
        Objects.requireNonNull(ctx.aeronDirectoryName, "aeronDirectoryName");
        if (ctx.members.isEmpty())
        {
            throw new IllegalArgumentException("no controller members");
        }
        this.aeron = Aeron.connect(new Aeron.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .errorHandler(AeronErrors.LOG_ONLY));
    }

    public String roleName()
    {
        return "sluice-controller-client-" + ctx.nodeId;
    }

    /**
     * @return whether the broker is registered and holds an image (read from any thread).
     */
    public boolean isReady()
    {
        return registered;
    }

    /**
     * @return the version of the image held (read from any thread).
     */
    public long metadataVersion()
    {
        return version;
    }

    /**
     * Add or remove an ACL.
     *
     * @param add true to add.
     * @param acl the ACL.
     * @return completes with the quorum's answer.
     */
    public CompletableFuture<Response> alterAcl(final boolean add, final io.sluice.transport.AclEntry acl)
    {
        return request((codec, id) -> codec.alterAcl(id, add, acl));
    }

    /**
     * @return the image; read it only on the client's thread.
     */
    public ClusterMetadata metadata()
    {
        return metadata;
    }

    public CompletableFuture<Response> createTopic(
        final String name, final int partitions, final int replicationFactor, final Map<String, String> configs)
    {
        final Map<String, String> copy = new LinkedHashMap<>(configs);
        return request((codec, id) -> codec.createTopic(id, name, partitions, replicationFactor, copy));
    }

    public CompletableFuture<Response> deleteTopic(final String name)
    {
        return request((codec, id) -> codec.deleteTopic(id, name));
    }

    public CompletableFuture<Response> alterPartition(
        final long topicId, final int partition, final int leaderEpoch, final int partitionEpoch,
        final List<Integer> isr)
    {
        final List<Integer> copy = List.copyOf(isr);
        return request((codec, id) ->
            codec.alterPartition(id, ctx.nodeId, topicId, partition, leaderEpoch, partitionEpoch, copy));
    }

    private interface RequestEncoder
    {
        int encode(ControllerCodec codec, long correlationId);
    }

    private CompletableFuture<Response> request(final RequestEncoder encoder)
    {
        final CompletableFuture<Response> future = new CompletableFuture<>();
        commands.offer(() ->
        {
            if (state == State.CLOSED)
            {
                future.completeExceptionally(new IllegalStateException("controller client closed"));
                return;
            }
            final long correlationId = nextCorrelationId++;
            final int length = encoder.encode(codec, correlationId);
            final byte[] bytes = new byte[length];
            codec.buffer().getBytes(0, bytes);
            pending.put(correlationId, new Pending(future, bytes, System.nanoTime() + ctx.requestTimeoutNs));
        });
        return future;
    }

    public int doWork()
    {
        int work = 0;
        Runnable command;
        while (null != (command = commands.poll()))
        {
            command.run();
            work++;
        }
        final long nowNs = System.nanoTime();
        switch (state)
        {
            case DISCONNECTED -> work += startConnect(nowNs);
            case CONNECTING -> work += pollConnect(nowNs);
            case REGISTERING, READY -> work += pollSession(nowNs);
            default ->
            {
            }
        }
        work += expire(nowNs);
        return work;
    }

    private int startConnect(final long nowNs)
    {
        if (nowNs - retryAtNs < 0)
        {
            return 0;
        }
        try
        {
            connecting = AeronCluster.asyncConnect(new AeronCluster.Context()
                .aeron(aeron)
                .ownsAeronClient(false)
                .ingressChannel("aeron:udp")
                .ingressEndpoints(ControllerNode.ingressEndpoints(ctx.members))
                .egressChannel("aeron:udp?endpoint=" + egressHost() + ":0")
                .messageTimeoutNs(ctx.connectTimeoutNs)
                .idleStrategy(NoOpIdleStrategy.INSTANCE)
                .credentialsSupplier(null == ctx.secret ? new io.aeron.security.NullCredentialsSupplier() :
                    ctx.secret.credentials(ctx.nodeId))
                .egressListener(egressHandler));
            state = State.CONNECTING;
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("controller connect failed: {}", ex.toString());
            retryAtNs = nowNs + TimeUnit.MILLISECONDS.toNanos(500);
        }
        return 1;
    }

    private String egressHost()
    {
        final String host = ctx.advertised.host();
        return host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    }

    private int pollConnect(final long nowNs)
    {
        try
        {
            final AeronCluster connected = connecting.poll();
            if (null == connected)
            {
                return 0;
            }
            connecting = null;
            cluster = connected;
            hasImage = false;
            imageRequested = false;
            registrationId = nextCorrelationId++;
            final int length = codec.registerBroker(registrationId, ctx.nodeId, ctx.incarnationId,
                ctx.advertised.host(), ctx.advertised.port(), ctx.replicationPort);
            offer(length);
            state = State.REGISTERING;
            nextKeepAliveNs = nowNs + ctx.keepAliveIntervalNs;
            LOG.info("broker {} connected to the controller (session {}, leader member {})", ctx.nodeId,
                cluster.clusterSessionId(), cluster.leaderMemberId());
        }
        catch (final RuntimeException ex)
        {
            if (ex instanceof io.aeron.security.AuthenticationException)
            {
                LOG.error("broker {}: the controller quorum refused this broker's session: its cluster secret is " +
                    "not the quorum's (cluster.secret.file); trying again", ctx.nodeId);
            }
            else
            {
                LOG.warn("controller not reachable yet: {}", ex.toString());
            }
            CloseHelper.quietClose(connecting);
            connecting = null;
            state = State.DISCONNECTED;
            retryAtNs = nowNs + TimeUnit.MILLISECONDS.toNanos(500);
        }
        return 1;
    }

    private int pollSession(final long nowNs)
    {
        int work = cluster.pollEgress();
        if (cluster.isClosed())
        {
            LOG.warn("broker {} lost its controller session; reconnecting", ctx.nodeId);
            CloseHelper.quietClose(cluster);
            cluster = null;
            registered = false;
            state = State.DISCONNECTED;
            for (final Pending request : pending.values())
            {
                request.sent = false;
            }
            return work + 1;
        }
        if (nowNs - nextKeepAliveNs >= 0)
        {
            cluster.sendKeepAlive();
            nextKeepAliveNs = nowNs + ctx.keepAliveIntervalNs;
        }
        if (state == State.READY)
        {
            for (final Map.Entry<Long, Pending> entry : pending.entrySet())
            {
                final Pending request = entry.getValue();
                if (!request.sent)
                {
                    codec.buffer().putBytes(0, request.request);
                    if (offer(request.request.length))
                    {
                        request.sent = true;
                        work++;
                    }
                    else
                    {
                        break;
                    }
                }
            }
        }
        return work;
    }

    private boolean offer(final int length)
    {
        final long result = cluster.offer(codec.buffer(), 0, length);
        if (result < 0 && result != Publication.BACK_PRESSURED && result != Publication.ADMIN_ACTION)
        {
            LOG.debug("controller offer failed: {}", Publication.errorString(result));
        }
        return result > 0;
    }

    private int expire(final long nowNs)
    {
        int work = 0;
        final var iterator = pending.entrySet().iterator();
        while (iterator.hasNext())
        {
            final Map.Entry<Long, Pending> entry = iterator.next();
            if (nowNs - entry.getValue().deadlineNs >= 0)
            {
                iterator.remove();
                entry.getValue().future.complete(
                    new Response(ControllerError.TIMED_OUT, version, "controller did not answer in time"));
                work++;
            }
        }
        return work;
    }

    private void requestImage()
    {
        if (!imageRequested && null != cluster)
        {
            imageRequested = offer(codec.fetchImage(nextCorrelationId++));
        }
    }

    public void onClose()
    {
        state = State.CLOSED;
        CloseHelper.quietCloseAll(connecting, cluster);
        for (final Pending request : pending.values())
        {
            request.future.completeExceptionally(new IllegalStateException("controller client closed"));
        }
        pending.clear();
        Runnable command;
        while (null != (command = commands.poll()))
        {
            command.run();
        }
        CloseHelper.quietClose(aeron);
    }

    private final class EgressHandler implements EgressListener, ControllerCodec.Handler
    {
        private final List<MetadataRecord> imageRecords = new ArrayList<>();
        private boolean inImage;
        private long imageVersion;
        private long imageNextTopicId;

        public void onMessage(
            final long clusterSessionId, final long timestamp, final DirectBuffer buffer, final int offset,
            final int length, final Header header)
        {
            codec.decode(buffer, offset, length, this);
        }

        public void onNewLeader(
            final long clusterSessionId, final long leadershipTermId, final int leaderMemberId,
            final String ingressEndpoints)
        {
            LOG.info("controller leader is now member {}", leaderMemberId);
            imageRequested = false;
            for (final Pending request : pending.values())
            {
                request.sent = false; // may have been lost with the old leader; answers are matched by id
            }
            requestImage();
        }

        public void onResponse(
            final long correlationId, final ControllerError error, final long metadataVersion, final String message)
        {
            if (correlationId == registrationId)
            {
                if (error == ControllerError.NONE)
                {
                    state = State.READY;
                    registered = hasImage;
                    LOG.info("broker {} registered with the controller", ctx.nodeId);
                }
                else
                {
                    LOG.error("controller refused broker {}'s registration: {} {}", ctx.nodeId, error, message);
                }
                return;
            }
            final Pending request = pending.remove(correlationId);
            if (null != request)
            {
                request.future.complete(new Response(error, metadataVersion, message));
            }
        }

        public void onImageStart(final long metadataVersion, final long nextTopicId)
        {
            inImage = true;
            imageVersion = metadataVersion;
            imageNextTopicId = nextTopicId;
            imageRecords.clear();
        }

        public void onRecord(final MetadataRecord record, final long metadataVersion)
        {
            if (inImage)
            {
                imageRecords.add(record);
                return;
            }
            if (!hasImage || metadataVersion <= metadata.version())
            {
                return;
            }
            if (metadataVersion != metadata.version() + 1)
            {
                requestImage();
                return;
            }
            metadata.apply(record, metadataVersion);
            version = metadataVersion;
            ctx.listener.onRecord(record, metadata);
        }

        public void onImageEnd(final long metadataVersion)
        {
            if (!inImage || metadataVersion != imageVersion)
            {
                return;
            }
            inImage = false;
            imageRequested = false;
            metadata.reset(imageVersion, imageNextTopicId);
            for (final MetadataRecord record : imageRecords)
            {
                metadata.apply(record, imageVersion);
            }
            imageRecords.clear();
            hasImage = true;
            version = imageVersion;
            registered = state == State.READY;
            ctx.listener.onImage(metadata);
        }

        public void onMetadataVersion(final long metadataVersion)
        {
            if (hasImage && metadataVersion > metadata.version())
            {
                requestImage();
            }
        }

        public void onMalformed(final String reason)
        {
            LOG.warn("malformed message from the controller: {}", reason);
        }
    }
}
