package io.sluice.transport;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.protocol.DataHeaderFlyweight;
import io.sluice.codecs.client.Acks;
import io.sluice.codecs.client.Assignor;
import io.sluice.codecs.client.CreditMode;
import com.ongres.scram.client.ScramClient;
import com.ongres.scram.common.ClientFirstMessage;
import com.ongres.scram.common.StringPreparation;
import com.ongres.scram.common.exception.ScramException;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.auth.ScramCredential;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A client's connection to one broker: the low-level API under every Sluice client.
 * <p>
 * Two halves. The allocation-free one is for trading-style producers and for clients built on top:
 * {@link #offerProduce}, {@link #offerFetch}, {@link #offerCredit} and {@link #offerFetchClose} encode and offer a
 * request and return the Aeron offer result (a position, or a negative {@link Publication} code such as
 * {@link Publication#BACK_PRESSURED}, which means "try again"); {@link #poll} delivers responses to a
 * {@link ClientResponseListener} and sends heartbeats when the connection is idle. The blocking half is for admin
 * work: {@link #createTopic}, {@link #deleteTopic}, {@link #describeTopics}, {@link #commitOffset} and
 * {@link #committedOffset} wait for their answer and throw {@link SluiceClientException} with a one-line message.
 * While one waits, other responses still reach the listener; a listener must not make a blocking call itself
 * (that throws {@link IllegalStateException}).
 * <p>
 * Not thread-safe: one thread uses a connection. By default a connection launches its own embedded media driver
 * (shared threading, backoff idle, a unique directory deleted on close); give {@link Context#aeronDirectoryName}
 * to use a running driver instead, which {@link Context#ipc} requires.
 */
public final class ClientConnection implements AutoCloseable
{
    /** Returned by {@link #offerProduce} for a batch larger than the connection can carry in one message. */
    public static final long MESSAGE_TOO_LARGE = -100;
    /** {@link #coordinatorId()}: the cluster has no group coordinator now (its offsets topic has no leader). */
    public static final int NO_COORDINATOR = -1;
    /** {@link #coordinatorId()}: no metadata answer yet. */
    public static final int COORDINATOR_UNKNOWN = -2;

    /**
     * Configuration of a connection; fluent setters, {@link #conclude()} validates.
     */
    public static final class Context
    {
        private String bootstrap = "127.0.0.1:" + ClientProtocol.DEFAULT_PORT;
        private String aeronDirectoryName;
        private Aeron aeron;
        private boolean ipc;
        private int termLength = 4 * 1024 * 1024;
        private long connectTimeoutNs = TimeUnit.SECONDS.toNanos(5);
        private long requestTimeoutNs = TimeUnit.SECONDS.toNanos(30);
        private long driverTimeoutMs = CommonContext.DRIVER_TIMEOUT_MS;
        private String clientName = "sluice-client";
        private String username;
        private char[] password;
        private ClientResponseListener listener;
        private HostPort bootstrapAddress;

        /**
         * Check and fill in defaults.
         *
         * @return this.
         * @throws IllegalArgumentException naming the bad setting.
         */
        public Context conclude()
        {
            bootstrapAddress = HostPort.parse(bootstrap);
            if (0 == bootstrapAddress.port() && !ipc)
            {
                throw new IllegalArgumentException("bootstrap port must not be 0: " + bootstrap);
            }
            if (ipc && null == aeronDirectoryName)
            {
                throw new IllegalArgumentException("ipc needs the broker's aeron directory (aeronDirectoryName)");
            }
            if (termLength < 64 * 1024 || termLength > 1024 * 1024 * 1024 || Integer.bitCount(termLength) != 1)
            {
                throw new IllegalArgumentException("term length must be a power of 2 from 64 KiB to 1 GiB: " + termLength);
            }
            return this;
        }

        /**
         * @param bootstrap the broker's {@code HOST:PORT}.
         * @return this.
         */
        public Context bootstrap(final String bootstrap)
        {
            this.bootstrap = bootstrap;
            return this;
        }

        /**
         * @return the broker's {@code HOST:PORT}.
         */
        public String bootstrap()
        {
            return bootstrap;
        }

        /**
         * @param aeronDirectoryName of a running media driver to use; {@code null} launches an embedded one.
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * @param aeron a client to use, shared with other connections and not closed by this one; {@code null}
         *              (the default) connects a client of this connection's own.
         * @return this.
         */
        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            return this;
        }

        /**
         * @param ipc talk to the broker over shared memory ({@code aeron:ipc}); needs the broker's driver.
         * @return this.
         */
        public Context ipc(final boolean ipc)
        {
            this.ipc = ipc;
            return this;
        }

        /**
         * @param termLength of the connection's request publication: a power of 2; the largest produce request
         *                   is an eighth of it. Default 4 MiB.
         * @return this.
         */
        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        /**
         * @param timeout for reaching the broker and connecting.
         * @param unit    of the timeout.
         * @return this.
         */
        public Context connectTimeout(final long timeout, final TimeUnit unit)
        {
            this.connectTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        /**
         * @param timeout for a blocking request's answer.
         * @param unit    of the timeout.
         * @return this.
         */
        public Context requestTimeout(final long timeout, final TimeUnit unit)
        {
            this.requestTimeoutNs = unit.toNanos(timeout);
            return this;
        }

        /**
         * How long the Aeron client this connection makes waits for a silent media driver before it closes (and the
         * connection with it, as a lost one). Ignored with {@link #aeron(Aeron)}. Default: Aeron's
         * ({@code aeron.driver.timeout}, 10 s).
         *
         * @param timeout of the driver's heartbeat.
         * @param unit    of {@code timeout}.
         * @return this.
         */
        public Context driverTimeout(final long timeout, final TimeUnit unit)
        {
            this.driverTimeoutMs = unit.toMillis(timeout);
            return this;
        }

        /**
         * Authenticate with SCRAM-SHA-256 on connect (a broker with {@code authentication=scram-sha-256} takes no
         * other request before). The password never crosses the wire.
         *
         * @param username the user, as in the broker's credentials.
         * @param password the user's password; kept by this context (not copied).
         * @return this.
         */
        public Context credentials(final String username, final char[] password)
        {
            if (!ScramCredential.USER_NAME.matcher(username).matches())
            {
                throw new IllegalArgumentException("user name must be letters, digits and . _ - @: " + username);
            }
            if (password.length == 0)
            {
                throw new IllegalArgumentException("the password is empty");
            }
            this.username = username;
            this.password = password;
            return this;
        }

        /**
         * @param clientName for the broker's logs.
         * @return this.
         */
        public Context clientName(final String clientName)
        {
            this.clientName = clientName;
            return this;
        }

        /**
         * @param listener receives asynchronous responses that arrive while a blocking call waits; by default
         *                 they go to the listener last given to {@link ClientConnection#poll}.
         * @return this.
         */
        public Context listener(final ClientResponseListener listener)
        {
            this.listener = listener;
            return this;
        }
    }

    private final Context ctx;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription responses;
    private final ExclusivePublication requests;
    private final ClientRequestProxy proxy;
    private final ClientResponseAdapter adapter = new ClientResponseAdapter();
    private final IdleStrategy idleStrategy = new BackoffIdleStrategy(10, 20, 1_000, 1_000_000);
    private final int brokerId;
    private final long connectionId;
    private final int maxFrameLength;
    private final long heartbeatIntervalNs;
    private long nextCorrelationId = 1;
    private long lastRequestNs;
    private boolean closed;
    /** Set once the broker accepted the connection: its response image exists from then on. */
    private boolean established;
    private boolean inCall;

    private ClientConnection(final Context ctx)
    {
        this.ctx = ctx;
        MediaDriver launchedDriver = null;
        Aeron connectedAeron = null;
        Subscription subscription = null;
        ExclusivePublication publication = null;
        try
        {
            final String aeronDir;
            if (null != ctx.aeron)
            {
                aeronDir = null;
            }
            else if (null == ctx.aeronDirectoryName)
            {
                launchedDriver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(new BackoffIdleStrategy())
                    .termBufferSparseFile(true)
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                aeronDir = launchedDriver.aeronDirectoryName();
            }
            else
            {
                aeronDir = ctx.aeronDirectoryName;
            }
            connectedAeron = null != ctx.aeron ? ctx.aeron : Aeron.connect(new Aeron.Context()
                .aeronDirectoryName(aeronDir)
                .clientName(ctx.clientName)
                .driverTimeoutMs(ctx.driverTimeoutMs)
                .errorHandler(AeronErrors.LOG_ONLY));

            final HostPort broker = ctx.bootstrapAddress;
            final long deadlineNs = System.nanoTime() + ctx.connectTimeoutNs;
            final String responseChannel;
            if (ctx.ipc)
            {
                // A session of its own: every IPC client of the driver subscribes to the one response stream.
                responseChannel = ClientProtocol.ipcResponseChannel(ClientProtocol.newResponseSessionId());
                subscription = connectedAeron.addSubscription(responseChannel, ClientProtocol.RESPONSE_STREAM_ID);
                publication = connectedAeron.addExclusivePublication(
                    ClientProtocol.ipcChannel(ctx.termLength), ClientProtocol.INGRESS_STREAM_ID);
            }
            else
            {
                final String localHost = localAddressFacing(broker.host());
                subscription = connectedAeron.addSubscription(
                    ClientProtocol.udpChannel(localHost, 0, 0), ClientProtocol.RESPONSE_STREAM_ID);
                String resolved;
                while (null == (resolved = subscription.tryResolveChannelEndpointPort()))
                {
                    checkDeadline(deadlineNs, "the response channel's port was not resolved");
                    idleStrategy.idle();
                }
                responseChannel = resolved;
                publication = connectedAeron.addExclusivePublication(
                    ClientProtocol.udpPublicationChannel(broker.host(), broker.port(), ctx.termLength,
                        ClientProtocol.isLoopback(broker.host())),
                    ClientProtocol.INGRESS_STREAM_ID);
            }

            idleStrategy.reset();
            while (!publication.isConnected())
            {
                checkDeadline(deadlineNs, "no broker answers at " + broker);
                idleStrategy.idle();
            }

            aeron = null != ctx.aeron ? null : connectedAeron; // closed with this connection only if its own
            responses = subscription;
            requests = publication;
            driver = launchedDriver;
            proxy = new ClientRequestProxy(publication);

            final long correlationId = nextCorrelationId();
            adapter.await(correlationId);
            offerUntil(() -> proxy.connect(correlationId, ClientProtocol.RESPONSE_STREAM_ID, responseChannel,
                ctx.clientName), deadlineNs);
            awaitAnswer(deadlineNs, "the broker at " + broker + " did not complete the connection");
            if (adapter.answerCode() != ErrorCode.NONE)
            {
                throw new SluiceClientException(adapter.answerCode(),
                    "broker at " + broker + " refused the connection: " + adapter.answerMessage());
            }
            brokerId = adapter.answerBrokerId();
            connectionId = adapter.answerValue();
            maxFrameLength = adapter.answerMaxFrameLength();
            heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(Math.max(100, adapter.answerTimeoutMs() / 4));
            lastRequestNs = System.nanoTime();
            established = true;
            if (null != ctx.username)
            {
                authenticate(deadlineNs);
            }
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(publication, subscription, null != ctx.aeron ? null : connectedAeron,
                launchedDriver);
            throw ex;
        }
    }

    /**
     * SCRAM-SHA-256 with the broker, right after the connect: the client-first message, the broker's challenge, the
     * client's proof, and the broker's signature, checked here so that a broker that does not hold the credential is
     * not trusted either.
     */
    private void authenticate(final long deadlineNs)
    {
        final ScramClient scram = ScramClient.builder()
            .advertisedMechanisms(List.of(ScramCredential.MECHANISM))
            .username(ctx.username)
            .password(ctx.password)
            .stringPreparation(StringPreparation.SASL_PREPARATION)
            .build();
        final String what = "authenticate as " + ctx.username + " with the broker at " + ctx.bootstrap;
        final ClientFirstMessage clientFirst = scram.clientFirstMessage();
        final String serverFirst = authenticateStep(clientFirst.toString(), deadlineNs, what);
        try
        {
            ScramCredential.checkServerFirst(serverFirst, clientFirst.getClientNonce());
            scram.serverFirstMessage(serverFirst);
            final String serverFinal = authenticateStep(scram.clientFinalMessage().toString(), deadlineNs, what);
            scram.serverFinalMessage(serverFinal);
        }
        catch (final ScramException | IllegalArgumentException ex)
        {
            throw new SluiceClientException(ErrorCode.AUTHENTICATION_FAILED, "cannot " + what +
                ": the broker's answer does not check (" + ex.getMessage() + ")");
        }
    }

    private String authenticateStep(final String message, final long deadlineNs, final String what)
    {
        final long correlationId = nextCorrelationId();
        adapter.await(correlationId);
        offerUntil(() -> proxy.authenticate(correlationId, ScramCredential.MECHANISM, message), deadlineNs);
        awaitAnswer(deadlineNs, "no answer from the broker to: " + what);
        if (adapter.answerCode() != ErrorCode.NONE)
        {
            throw new SluiceClientException(adapter.answerCode(), "cannot " + what + ": " + adapter.answerMessage());
        }
        return adapter.answerText();
    }

    /**
     * Connect to a broker, waiting for it to accept.
     *
     * @param ctx the configuration; concluded here.
     * @return the connection.
     * @throws SluiceClientException if the broker cannot be reached or refuses within the connect timeout.
     * @throws IllegalArgumentException for a bad configuration.
     */
    public static ClientConnection connect(final Context ctx)
    {
        ctx.conclude();
        return new ClientConnection(ctx);
    }

    /**
     * @return the id of the broker this connection talks to.
     */
    public int brokerId()
    {
        return brokerId;
    }

    /**
     * @return the address this connection was opened to.
     */
    public HostPort bootstrapAddress()
    {
        return ctx.bootstrapAddress;
    }

    /**
     * @return the broker's name for this connection.
     */
    public long connectionId()
    {
        return connectionId;
    }

    /**
     * @return the largest message the broker sends on this connection.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * @return the MTU of the requests' datagrams: {@link ClientProtocol#LOOPBACK_MTU_LENGTH} to a broker on the
     *         loopback interface, otherwise the media driver's default.
     */
    public int requestMtuLength()
    {
        return requests.maxPayloadLength() + DataHeaderFlyweight.HEADER_LENGTH;
    }

    /**
     * @return the MTU of the broker's responses, as its publication chose; 0 before the broker has answered.
     */
    public int responseMtuLength()
    {
        final Image image = responses.imageCount() > 0 ? responses.imageAtIndex(0) : null;
        return null == image ? 0 : image.mtuLength();
    }

    /**
     * @return the largest batch {@link #offerProduce} can carry.
     */
    public int maxProduceBatchLength()
    {
        return requests.maxMessageLength() - ClientRequestProxy.PRODUCE_HEADER_LENGTH;
    }

    /**
     * @return whether both directions are up: false once the broker has gone away.
     */
    public boolean isConnected()
    {
        return !closed && requests.isConnected() && responses.isConnected();
    }

    /**
     * @return a correlation id not used before on this connection.
     */
    public long nextCorrelationId()
    {
        return nextCorrelationId++;
    }

    /**
     * Offer a produce request. Allocation-free; the batch is copied once, into the publication.
     *
     * @param correlationId echoed in the response.
     * @param topicId       from {@link #describeTopics}.
     * @param partition     of the topic.
     * @param acks          {@code NONE}: no response unless it fails; {@code LEADER}: after the append;
     *                      {@code ALL}: after every in-sync replica has it.
     * @param batch         holding one record batch built with {@code RecordBatchBuilder}.
     * @param offset        of the batch.
     * @param length        of the batch.
     * @return the new publication position, a negative {@link Publication} code, or {@link #MESSAGE_TOO_LARGE}.
     */
    public long offerProduce(
        final long correlationId,
        final int topicId,
        final int partition,
        final Acks acks,
        final DirectBuffer batch,
        final int offset,
        final int length)
    {
        if (length > maxProduceBatchLength())
        {
            return MESSAGE_TOO_LARGE;
        }
        return sent(proxy.produce(correlationId, topicId, partition, acks, batch, offset, length));
    }

    /**
     * Offer a fetch request, opening a fetch session that streams a partition from an offset within credit.
     *
     * @param correlationId echoed in the session's first {@code FetchStatus}.
     * @param sessionId     chosen by the caller, unique within this connection.
     * @param topicId       from {@link #describeTopics}.
     * @param partition     of the topic.
     * @param fetchOffset   first offset, or {@link ClientProtocol#EARLIEST_OFFSET} or
     *                      {@link ClientProtocol#LATEST_OFFSET}.
     * @param creditMode    whether credit counts records or bytes.
     * @param initialCredit records or bytes the broker may send before more credit.
     * @return the new publication position or a negative {@link Publication} code.
     */
    public long offerFetch(
        final long correlationId,
        final long sessionId,
        final int topicId,
        final int partition,
        final long fetchOffset,
        final CreditMode creditMode,
        final long initialCredit)
    {
        return sent(proxy.fetch(correlationId, sessionId, topicId, partition, fetchOffset, creditMode, initialCredit));
    }

    /**
     * Offer more credit to a fetch session.
     *
     * @param sessionId the fetch session.
     * @param credit    records or bytes to add.
     * @return the new publication position or a negative {@link Publication} code.
     */
    public long offerCredit(final long sessionId, final long credit)
    {
        return sent(proxy.credit(sessionId, credit));
    }

    /**
     * Offer to close a fetch session.
     *
     * @param sessionId the fetch session.
     * @return the new publication position or a negative {@link Publication} code.
     */
    public long offerFetchClose(final long sessionId)
    {
        return sent(proxy.fetchClose(sessionId));
    }

    /**
     * Deliver responses, and send a heartbeat if nothing was sent for a while.
     *
     * @param listener      receives the responses.
     * @param fragmentLimit most fragments to take.
     * @return fragments taken.
     */
    public int poll(final ClientResponseListener listener, final int fragmentLimit)
    {
        final long nowNs = System.nanoTime();
        if (nowNs - lastRequestNs >= heartbeatIntervalNs)
        {
            sent(proxy.heartbeat(System.currentTimeMillis()));
        }
        return adapter.poll(responses, listener, fragmentLimit);
    }

    /**
     * Create a topic and wait for the answer.
     *
     * @param topic             name: 1 to 200 of {@code [a-zA-Z0-9._-]}.
     * @param partitions        at least 1.
     * @param replicationFactor replicas per partition.
     * @param configs           overrides of the broker's log defaults, such as {@code retention.ms}.
     * @return the new topic's id.
     * @throws SluiceClientException if the broker refuses or does not answer.
     */
    public int createTopic(
        final String topic, final int partitions, final int replicationFactor, final Map<String, String> configs)
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.createTopic(correlationId, topic, partitions, replicationFactor, configs),
            "create topic " + topic);
        return (int)adapter.answerValue();
    }

    /**
     * Delete a topic and its data, and wait for the answer.
     *
     * @param topic name.
     * @throws SluiceClientException if the broker refuses or does not answer.
     */
    public void deleteTopic(final String topic)
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.deleteTopic(correlationId, topic), "delete topic " + topic);
    }

    /**
     * Describe one topic or every topic.
     *
     * @param topic         name, or {@code null} for every topic.
     * @param includeConfig whether to add each topic's effective configuration.
     * @return the topics, by name.
     * @throws SluiceClientException with {@code UNKNOWN_TOPIC} for a topic that does not exist.
     */
    public List<TopicDescription> describeTopics(final String topic, final boolean includeConfig)
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.metadata(correlationId, topic, includeConfig),
            null == topic ? "list topics" : "describe topic " + topic);
        return adapter.answerTopics();
    }

    /**
     * The brokers named by the latest metadata answer ({@link #describeTopics}): a cluster's live brokers, or this
     * broker alone; each partition's leader is one of them.
     *
     * @return address by broker id; empty before the first answer.
     */
    public Map<Integer, HostPort> brokers()
    {
        return adapter.answerBrokers();
    }

    /**
     * The broker that coordinates consumer groups (joins, heartbeats, commits, committed offsets, group admin), as
     * named by the latest metadata answer ({@link #describeTopics}): the broker alone, or in a cluster the leader of
     * the offsets topic.
     *
     * @return its id; {@link #NO_COORDINATOR} when the cluster has none now, {@link #COORDINATOR_UNKNOWN} before the
     * first metadata answer.
     */
    public int coordinatorId()
    {
        return adapter.answerCoordinatorId();
    }

    /**
     * Describe one topic.
     *
     * @param topic name.
     * @return its description.
     * @throws SluiceClientException with {@code UNKNOWN_TOPIC} for a topic that does not exist.
     */
    public TopicDescription describeTopic(final String topic)
    {
        return describeTopics(topic, false).get(0);
    }

    /**
     * Store a consumer group's next offset for a partition.
     *
     * @param group     name.
     * @param topicId   of the partition.
     * @param partition number.
     * @param offset    the next offset the group consumes.
     * @throws SluiceClientException if the broker refuses or does not answer.
     */
    public void commitOffset(final String group, final int topicId, final int partition, final long offset)
    {
        commitOffset(group, "", -1, topicId, partition, offset);
    }

    /**
     * Store a consumer group's next offset for a partition as a member of the group: the broker takes it only
     * from a member of the group's current generation that reads the partition (or is giving it up).
     *
     * @param group      name.
     * @param memberId   the committing member, or empty for a commit from outside the membership.
     * @param generation the member's generation, or -1 from outside the membership.
     * @param topicId    of the partition.
     * @param partition  number.
     * @param offset     the next offset the group consumes.
     * @throws SluiceClientException if the broker refuses ({@code ILLEGAL_GENERATION}, {@code UNKNOWN_MEMBER},
     *                               {@code NOT_ASSIGNED}, ...) or does not answer.
     */
    public void commitOffset(
        final String group,
        final String memberId,
        final int generation,
        final int topicId,
        final int partition,
        final long offset)
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.offsetCommit(correlationId, group, memberId, generation, topicId, partition,
            offset), "commit offset for group " + group);
    }

    /**
     * Offer a join request; the answer comes to {@link ClientResponseListener#onJoinGroupResponse} when the
     * group's next generation forms, which may take up to the group's rebalance timeout.
     *
     * @param correlationId      echoed in the answer.
     * @param group              name.
     * @param memberId           empty on a first join.
     * @param assignor           how the group divides partitions; every member must name the same.
     * @param sessionTimeoutMs   a member silent this long is removed.
     * @param rebalanceTimeoutMs how long a rebalance waits for members to rejoin.
     * @param topics             subscribed to.
     * @param owned              partitions this member still reads (cooperative assignors), else empty.
     * @return the new publication position or a negative {@link Publication} code.
     */
    public long offerJoinGroup(
        final long correlationId,
        final String group,
        final String memberId,
        final Assignor assignor,
        final int sessionTimeoutMs,
        final int rebalanceTimeoutMs,
        final Collection<String> topics,
        final Collection<PartitionRef> owned)
    {
        return sent(proxy.joinGroup(
            correlationId, group, memberId, assignor, sessionTimeoutMs, rebalanceTimeoutMs, topics, owned));
    }

    /**
     * Offer a sync request; the answer comes to {@link ClientResponseListener#onSyncGroupResponse}.
     *
     * @param correlationId echoed in the answer.
     * @param group         name.
     * @param memberId      from the join.
     * @param generation    from the join.
     * @return the new publication position or a negative {@link Publication} code.
     */
    public long offerSyncGroup(final long correlationId, final String group, final String memberId, final int generation)
    {
        return sent(proxy.syncGroup(correlationId, group, memberId, generation));
    }

    /**
     * Offer a group heartbeat; the answer comes to {@link ClientResponseListener#onGroupResponse}.
     *
     * @param correlationId echoed in the answer.
     * @param group         name.
     * @param memberId      from the join.
     * @param generation    from the join.
     * @return the new publication position or a negative {@link Publication} code.
     */
    public long offerGroupHeartbeat(
        final long correlationId, final String group, final String memberId, final int generation)
    {
        return sent(proxy.groupHeartbeat(correlationId, group, memberId, generation));
    }

    /**
     * Offer to leave a group; the answer comes to {@link ClientResponseListener#onGroupResponse}.
     *
     * @param correlationId echoed in the answer.
     * @param group         name.
     * @param memberId      from the join.
     * @return the new publication position or a negative {@link Publication} code.
     */
    public long offerLeaveGroup(final long correlationId, final String group, final String memberId)
    {
        return sent(proxy.leaveGroup(correlationId, group, memberId));
    }

    /**
     * Add an ACL (needs {@code ALTER} on the cluster, or a super user).
     *
     * @param acl to add; adding one that exists does nothing.
     * @throws SluiceClientException with {@code NOT_AUTHORIZED}, or {@code INVALID_REQUEST} on a broker without
     *                               ACLs.
     */
    public void addAcl(final AclEntry acl)
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.alterAcl(correlationId, true, acl), "add ACL: " + acl);
    }

    /**
     * Remove an ACL.
     *
     * @param acl to remove, exactly as added.
     * @throws SluiceClientException with {@code INVALID_REQUEST} if there is no such ACL.
     */
    public void removeAcl(final AclEntry acl)
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.alterAcl(correlationId, false, acl), "remove ACL: " + acl);
    }

    /**
     * @return every ACL (needs {@code DESCRIBE} on the cluster).
     */
    public List<AclEntry> listAcls()
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.listAcls(correlationId), "list ACLs");
        return adapter.answerAcls();
    }

    /**
     * Every consumer group: those with members and those with only committed offsets.
     *
     * @return the groups, sorted by name.
     * @throws SluiceClientException if the broker does not answer.
     */
    public List<GroupListing> listGroups()
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.listGroups(correlationId), "list groups");
        return adapter.answerGroups();
    }

    /**
     * Describe a consumer group: members, assignment, and committed offset, end offset and lag per partition.
     *
     * @param group name.
     * @return the description.
     * @throws SluiceClientException with {@code UNKNOWN_GROUP} for a group with neither members nor offsets.
     */
    public GroupDescription describeGroup(final String group)
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.describeGroup(correlationId, group), "describe group " + group);
        return adapter.answerGroup();
    }

    /**
     * A consumer group's committed offset for a partition.
     *
     * @param group     name.
     * @param topicId   of the partition.
     * @param partition number.
     * @return the offset, or -1 if the group has committed none.
     * @throws SluiceClientException if the broker refuses or does not answer.
     */
    public long committedOffset(final String group, final int topicId, final int partition)
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.offsetFetch(correlationId, group, topicId, partition),
            "fetch offset for group " + group);
        return adapter.answerValue();
    }

    /**
     * The first offset of a partition whose record timestamp is at or after {@code timestamp}, as Kafka's
     * {@code offsetsForTimes}.
     *
     * @param topicId   of the partition.
     * @param partition number.
     * @param timestamp epoch milliseconds.
     * @return the offset, or -1 if no record of the partition is that recent.
     * @throws SluiceClientException if the broker refuses or does not answer.
     */
    public long offsetForTimestamp(final int topicId, final int partition, final long timestamp)
    {
        final long correlationId = nextCorrelationId();
        call(correlationId, () -> proxy.offsetForTimestamp(correlationId, topicId, partition, timestamp),
            "find the offset for timestamp " + timestamp);
        return adapter.answerValue();
    }

    /**
     * Tell the broker we are leaving, then release the publication, the subscription, the Aeron client and, if
     * this connection launched it, the media driver and its directory.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            if (requests.isConnected())
            {
                proxy.disconnect(nextCorrelationId());
            }
        }
        finally
        {
            CloseHelper.quietCloseAll(requests, responses, aeron, driver);
        }
    }

    private void call(final long correlationId, final LongSupplier offer, final String what)
    {
        if (inCall)
        {
            // The adapter waits for one answer at a time: a nested call would take the outer call's answer.
            throw new IllegalStateException("cannot " + what + " from a listener called during a blocking call");
        }
        final long deadlineNs = System.nanoTime() + ctx.requestTimeoutNs;
        inCall = true;
        try
        {
            adapter.await(correlationId);
            offerUntil(offer, deadlineNs);
            awaitAnswer(deadlineNs, "no answer from the broker to: " + what);
        }
        finally
        {
            inCall = false;
        }
        if (adapter.answerCode() != ErrorCode.NONE)
        {
            throw new SluiceClientException(adapter.answerCode(), "cannot " + what + ": " +
                adapter.answerCode() + (adapter.answerMessage().isEmpty() ? "" : " (" + adapter.answerMessage() + ")"));
        }
    }

    private void offerUntil(final LongSupplier offer, final long deadlineNs)
    {
        idleStrategy.reset();
        while (true)
        {
            final long result = offer.getAsLong();
            if (result > 0)
            {
                lastRequestNs = System.nanoTime();
                return;
            }
            if (result == Publication.NOT_CONNECTED || result == Publication.CLOSED ||
                result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new SluiceClientException(null, "lost the connection to the broker at " + ctx.bootstrap);
            }
            checkDeadline(deadlineNs, "the broker at " + ctx.bootstrap + " is not taking requests");
            idleStrategy.idle();
        }
    }

    private void awaitAnswer(final long deadlineNs, final String timeoutMessage)
    {
        idleStrategy.reset();
        while (!adapter.answered())
        {
            final int fragments = adapter.pollWhileWaiting(responses, ctx.listener, 16);
            if (adapter.answered())
            {
                break;
            }
            if (!requests.isConnected() || (established && !responses.isConnected()))
            {
                // The response image goes as soon as the broker closes or its stream times out, well before the
                // request publication notices that nobody reads it.
                throw new SluiceClientException(null, "lost the connection to the broker at " + ctx.bootstrap);
            }
            checkDeadline(deadlineNs, timeoutMessage);
            idleStrategy.idle(fragments);
        }
    }

    private long sent(final long result)
    {
        if (result > 0)
        {
            lastRequestNs = System.nanoTime();
        }
        return result;
    }

    private void checkDeadline(final long deadlineNs, final String message)
    {
        if (System.nanoTime() - deadlineNs > 0)
        {
            throw new SluiceClientException(null, message);
        }
    }

    /**
     * The address of this machine that a broker at {@code brokerHost} can send responses to: loopback for a
     * loopback broker, otherwise the address of the interface the route to the broker leaves by.
     */
    static String localAddressFacing(final String brokerHost)
    {
        try
        {
            final InetAddress broker = InetAddress.getByName(brokerHost);
            if (broker.isLoopbackAddress())
            {
                return broker.getHostAddress();
            }
            try (DatagramSocket socket = new DatagramSocket())
            {
                socket.connect(new InetSocketAddress(broker, ClientProtocol.DEFAULT_PORT));
                return socket.getLocalAddress().getHostAddress();
            }
        }
        catch (final UnknownHostException ex)
        {
            throw new SluiceClientException(null, "unknown broker host: " + brokerHost);
        }
        catch (final SocketException ex)
        {
            throw new UncheckedIOException("no route to the broker at " + brokerHost, ex);
        }
    }
}
