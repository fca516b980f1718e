package io.sluice.client.internal;

import io.sluice.client.SluiceException;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.HostPort;
import io.sluice.transport.PartitionRef;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The client's I/O agent: the one owner of the connections and of every flow's state. Other threads hand it work
 * through {@link #execute}; it runs those commands, polls the connections and dispatches responses, and gives every
 * running flow (a send or a receive subscription) a duty cycle.
 * <p>
 * Connections: one to the first broker that answered (the <em>metadata connection</em>: topic look-ups, admin,
 * groups and commits), and one to each other broker that leads a partition a flow produces to or fetches from,
 * opened when first needed. Correlation and session ids are the agent's, unique across its connections. When any
 * connection is lost, or a broker says it does not lead a partition (or that its leader is not available), the
 * agent closes every connection and reconnects, to any broker it knows: flows then look their topics up again,
 * which names the current leaders, and redo what was in flight (the cycle of {@link Flow#onDisconnected} and
 * {@link Flow#onReconnected}). A leader change is rare; one way to recover from every such event keeps it simple.
 * <p>
 * Blocking admin calls (metadata, commits) run on this thread; while one waits, responses that arrive are still
 * dispatched (the connection hands them to the listener last polled with), so nothing is lost, but every flow
 * waits for it.
 */
final class ClientAgent implements Agent, ClientResponseListener
{
    static final int FRAGMENT_LIMIT = 64;
    private static final int COMMAND_LIMIT = 256;
    private static final Logger LOG = LoggerFactory.getLogger(ClientAgent.class);

    /**
     * A running send or receive: its state is touched only on the agent thread.
     */
    interface Flow
    {
        /**
         * One duty cycle.
         *
         * @param nowNs the agent's clock.
         * @return work done.
         */
        int doWork(long nowNs);

        /**
         * @return bytes of fetched records this flow holds or has granted credit for; 0 for a send.
         */
        default long heldBytes()
        {
            return 0;
        }

        /**
         * The connection was lost: what was in flight will get no answer. Flows keep their state and wait.
         */
        default void onDisconnected()
        {
        }

        /**
         * A new connection is up: topic ids may have changed (look topics up again), in-flight work is to be redone.
         */
        default void onReconnected()
        {
        }

        /**
         * The client is closing or could not reconnect: end with {@code error}.
         *
         * @param error the cause.
         */
        void fail(SluiceException error);
    }

    /**
     * Told the outcome of one produce request.
     */
    interface ProduceHandler
    {
        void onProduceResponse(ErrorCode errorCode, long baseOffset, String errorMessage);
    }

    /**
     * Told the status and data of one fetch session.
     */
    interface FetchHandler
    {
        void onFetchStatus(ErrorCode errorCode, long nextOffset, String errorMessage);

        void onFetchData(long fromOffset, long toOffset, DirectBuffer buffer, int offset, int length);
    }

    /**
     * Told the answers to one group member's requests.
     */
    interface GroupHandler
    {
        void onJoinGroupResponse(ErrorCode errorCode, int generation, String memberId, String errorMessage);

        void onSyncGroupResponse(ErrorCode errorCode, int generation, List<PartitionRef> assignment, String message);

        /**
         * A heartbeat or leave was answered, or a group request was refused with an {@code ErrorResponse}.
         */
        void onGroupResponse(ErrorCode errorCode, int generation, String errorMessage);
    }

    /**
     * The connection's state: {@code CONNECTED}; {@code RECONNECTING} after it was lost (commands wait, flows are
     * idle); {@code DOWN} after {@code reconnectTimeout} without success (running flows have failed, commands run
     * and fail on {@link #connection()}, new flows fail; reconnecting goes on, less often).
     */
    enum State
    {
        CONNECTED, RECONNECTING, DOWN
    }

    /**
     * Connects to one broker.
     */
    interface Connector
    {
        /**
         * @param address   of the broker.
         * @param timeoutNs how long to wait for it to accept.
         * @param listener  receives the asynchronous responses (join, sync, heartbeat, produce, fetch) that arrive
         *                  while a blocking call on the new connection waits, even before the agent first polls it:
         *                  without one they would go to the connection's last poll listener, which is none yet, and
         *                  be dropped.
         * @return the connection.
         * @throws SluiceException if it cannot be reached in time.
         */
        ClientConnection connect(HostPort address, long timeoutNs, ClientResponseListener listener);
    }

    private static final long RECONNECT_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(200);
    /** After a broker said it does not lead a partition: give the new leader's metadata time to spread. */
    private static final long COORDINATOR_LOOKUP_INTERVAL_MS = 100;
    private static final long REFRESH_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long DOWN_RETRY_NS = TimeUnit.SECONDS.toNanos(1);
    /** Above any id a connection gives its own blocking calls, so that the two never meet. */
    private static final long FIRST_CORRELATION_ID = 1L << 48;

    private final Connector connector;
    private final List<HostPort> bootstrap;
    private final long connectTimeoutNs;
    private final long reconnectTimeoutNs;
    private ClientConnection connection;
    private final Int2ObjectHashMap<ClientConnection> leaderConnections = new Int2ObjectHashMap<>();
    private Map<Integer, HostPort> brokers = Map.of();
    private final Set<HostPort> suspects = new HashSet<>();
    private int nextCandidate;
    private String refreshReason;
    /** The group coordinator's broker id, {@link ClientConnection#NO_COORDINATOR}, or unknown: look it up. */
    private int coordinatorId = ClientConnection.COORDINATOR_UNKNOWN;
    private long coordinatorLookupDueNs;
    private long nextCorrelationId = FIRST_CORRELATION_ID;
    private State state = State.CONNECTED;
    private long disconnectedAtNs;
    private long nextAttemptNs;
    private final ManyToOneConcurrentLinkedQueue<Runnable> commands = new ManyToOneConcurrentLinkedQueue<>();
    private final List<Flow> flows = new ArrayList<>();
    private final Long2ObjectHashMap<ProduceHandler> produceHandlers = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<FetchHandler> fetchHandlers = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<GroupHandler> groupHandlers = new Long2ObjectHashMap<>();
    /** For tests: join answers to drop (set by a test thread, counted down by this agent). */
    private volatile int joinAnswersToDrop;
    private final Map<String, TopicMetadata> topics = new HashMap<>();
    private volatile boolean closed;
    private long nextSessionId = 1;

    /**
     * @param connection         the metadata connection, already open.
     * @param bootstrap          the addresses the client was given, tried when no other broker is known.
     * @param connector          opens connections.
     * @param connectTimeoutNs   the longest wait for a broker to accept a connection; a reconnection attempt waits at
     *                           most 1 s of it, then tries another broker.
     * @param reconnectTimeoutNs how long to try to reconnect before failing every flow.
     */
    ClientAgent(
        final ClientConnection connection,
        final List<HostPort> bootstrap,
        final Connector connector,
        final long connectTimeoutNs,
        final long reconnectTimeoutNs)
    {
        this.connection = connection;
        this.bootstrap = List.copyOf(bootstrap);
        this.connector = connector;
        this.connectTimeoutNs = connectTimeoutNs;
        this.reconnectTimeoutNs = reconnectTimeoutNs;
    }

    public String roleName()
    {
        return "sluice-client";
    }

    /**
     * Run {@code command} on the agent thread. After close, commands are run by {@link #onClose()} or, if it has
     * finished, not at all: a command must not be the only way a subscriber learns of an end.
     *
     * @param command to run.
     */
    void execute(final Runnable command)
    {
        commands.offer(command);
    }

    boolean isClosed()
    {
        return closed;
    }

    /**
     * @return the connection.
     * @throws SluiceException of kind {@code CONNECTION} while there is none.
     */
    ClientConnection connection()
    {
        if (state != State.CONNECTED)
        {
            throw Errors.connection("not connected to the broker (" +
                (state == State.RECONNECTING ? "reconnecting" : "gave up reconnecting; still trying") + ")");
        }
        return connection;
    }

    State state()
    {
        return state;
    }

    /**
     * The connection to the leader of a partition, opened if this is the first time it is needed.
     *
     * @param topic     looked up by {@link #topic}, naming the leaders.
     * @param partition of the topic.
     * @return the connection, or {@code null} if the leader is unknown or cannot be reached now: a refresh is then
     * under way, after which the caller's flow is told {@link Flow#onReconnected}.
     * @throws SluiceException of kind {@code CONNECTION} while there is no metadata connection.
     */
    ClientConnection leaderConnection(final TopicMetadata topic, final int partition)
    {
        final int leader = topic.leader(partition);
        if (leader < 0)
        {
            connection();
            requestRefresh(topic.name() + "-" + partition + " has no leader");
            return null;
        }
        return brokerConnection(leader, "the leader of " + topic.name() + "-" + partition);
    }

    /**
     * The connection to the broker that coordinates consumer groups (joins, heartbeats, commits, committed offsets,
     * group admin), opened if needed. The coordinator is looked up (a metadata request, blocking) when unknown, and
     * while the cluster has none (its offsets topic is being created, or has no leader) at most every
     * {@value #COORDINATOR_LOOKUP_INTERVAL_MS} ms.
     *
     * @return the connection, or {@code null} when there is no coordinator now, or it cannot be reached (a refresh is
     * then under way): try again later.
     * @throws SluiceException of kind {@code CONNECTION} while there is no metadata connection.
     */
    ClientConnection coordinatorConnection()
    {
        final ClientConnection metadataConnection = connection();
        final long nowNs = System.nanoTime();
        if (coordinatorId == ClientConnection.COORDINATOR_UNKNOWN ||
            (coordinatorId == ClientConnection.NO_COORDINATOR && nowNs - coordinatorLookupDueNs >= 0))
        {
            coordinatorLookupDueNs = nowNs + TimeUnit.MILLISECONDS.toNanos(COORDINATOR_LOOKUP_INTERVAL_MS);
            try
            {
                metadataConnection.describeTopics(null, false);
            }
            catch (final SluiceClientException ex)
            {
                throw Errors.of(ex);
            }
            learnBrokers();
        }
        return coordinatorId < 0 ? null : brokerConnection(coordinatorId, "the group coordinator");
    }

    /**
     * @return {@link #coordinatorConnection()}.
     * @throws SluiceException of kind {@code CONNECTION} when there is none now.
     */
    ClientConnection requireCoordinator()
    {
        final ClientConnection coordinator = coordinatorConnection();
        if (null == coordinator)
        {
            throw Errors.connection("no broker coordinates consumer groups now: try again");
        }
        return coordinator;
    }

    /**
     * A broker answered {@code NOT_COORDINATOR}: the coordinator moved. Every connection is closed and reopened
     * ({@link #requestRefresh}), so members rejoin at the new coordinator.
     *
     * @param reason logged.
     */
    void coordinatorMoved(final String reason)
    {
        coordinatorId = ClientConnection.COORDINATOR_UNKNOWN;
        requestRefresh(reason);
    }

    /**
     * The connection to a broker of the latest metadata: the metadata connection if it is that broker's, else one
     * of its own, opened on first use.
     *
     * @param brokerId of the broker.
     * @param role     what the broker is to the caller, for the log.
     * @return the connection, or {@code null} if the broker is not known to be alive or cannot be reached now: a
     * refresh is then under way.
     */
    private ClientConnection brokerConnection(final int brokerId, final String role)
    {
        final ClientConnection metadataConnection = connection();
        if (brokerId == metadataConnection.brokerId())
        {
            return metadataConnection;
        }
        ClientConnection brokerConnection = leaderConnections.get(brokerId);
        if (null == brokerConnection)
        {
            final HostPort address = brokers.get(brokerId);
            if (null == address)
            {
                requestRefresh(role + ", broker " + brokerId + ", is not among the live brokers");
                return null;
            }
            try
            {
                brokerConnection = connector.connect(address, attemptTimeoutNs(), this);
            }
            catch (final SluiceException ex)
            {
                suspects.add(address);
                requestRefresh("cannot connect to broker " + brokerId + " at " + address + ": " + ex.getMessage());
                return null;
            }
            leaderConnections.put(brokerId, brokerConnection);
        }
        return brokerConnection;
    }

    /**
     * @param leaderConnection the connection a produce or fetch went to.
     * @param errorCode        its answer.
     * @return whether the request is to be redone after a metadata refresh ({@link #requestRefresh}): the leader
     * moved ({@link Errors#isLeaderChange}), or a broker other than the metadata connection's, named as a
     * partition's leader, does not know the topic (it restarted and has not had the controller's metadata yet, or
     * no longer leads; Kafka's client retries {@code UNKNOWN_TOPIC_OR_PARTITION} the same way, and the metadata
     * broker's look-up after the refresh decides whether the topic is gone).
     */
    boolean isLeaderChange(final ClientConnection leaderConnection, final ErrorCode errorCode)
    {
        return Errors.isLeaderChange(errorCode) ||
            ((errorCode == ErrorCode.UNKNOWN_TOPIC || errorCode == ErrorCode.UNKNOWN_PARTITION) &&
            state == State.CONNECTED && leaderConnection != connection);
    }

    /**
     * Close every connection and reconnect soon: a broker said it does not lead a partition, or a leader is
     * unknown. Flows see {@link Flow#onDisconnected} at the agent's next duty cycle, then {@link Flow#onReconnected}.
     *
     * @param reason logged.
     */
    void requestRefresh(final String reason)
    {
        if (null == refreshReason)
        {
            refreshReason = reason;
        }
    }

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        if (state == State.CONNECTED)
        {
            if (!allConnected())
            {
                onConnectionLost(nowNs, "lost the connection to a broker", 0);
            }
            else if (null != refreshReason)
            {
                onConnectionLost(nowNs, refreshReason, REFRESH_BACKOFF_NS);
            }
        }
        if (state != State.CONNECTED)
        {
            final int work = reconnect(nowNs);
            return state == State.DOWN ? work + drainCommands() : work;
        }
        int work = drainCommands();
        if (state != State.CONNECTED)
        {
            return work; // a command lost the connection
        }
        work += connection.poll(this, FRAGMENT_LIMIT);
        for (final ClientConnection leaderConnection : leaderConnections.values())
        {
            work += leaderConnection.poll(this, FRAGMENT_LIMIT);
        }
        // Backwards, re-checking the size: a flow may end itself or, through a blocking call, another flow.
        for (int i = flows.size() - 1; i >= 0; i--)
        {
            if (i < flows.size())
            {
                work += doWork(flows.get(i), nowNs);
            }
        }
        return work;
    }

    /**
     * One flow's duty cycle. A flow that throws has a bug, not an answer from the broker: it ends with the exception
     * (its subscriber is told), instead of throwing again every duty cycle while its records wait forever.
     */
    private int doWork(final Flow flow, final long nowNs)
    {
        try
        {
            return flow.doWork(nowNs);
        }
        catch (final RuntimeException ex)
        {
            LOG.error("a send or receive failed unexpectedly and is ended", ex);
            flows.remove(flow);
            flow.fail(Errors.fromThrowable(ex));
            return 1;
        }
    }

    public void onClose()
    {
        closed = true;
        if (state == State.CONNECTED)
        {
            drainCommands();
        }
        state = State.DOWN; // from here commands fail fast on connection()
        failAll(Errors.connection("the client was closed"));
        drainCommands();
        closeConnections();
    }

    /**
     * @return bytes held or granted by every receive flow, for tests and diagnostics; agent thread only.
     */
    long heldBytes()
    {
        long held = 0;
        for (final Flow flow : flows)
        {
            held += flow.heldBytes();
        }
        return held;
    }

    void add(final Flow flow)
    {
        if (state == State.DOWN)
        {
            flow.fail(Errors.connection("not connected to the broker (gave up reconnecting)"));
            return;
        }
        flows.add(flow);
    }

    private boolean allConnected()
    {
        boolean connected = connection.isConnected();
        if (!connected)
        {
            suspects.add(addressOf(connection));
        }
        for (final ClientConnection leaderConnection : leaderConnections.values())
        {
            if (!leaderConnection.isConnected())
            {
                suspects.add(addressOf(leaderConnection));
                connected = false;
            }
        }
        return connected;
    }

    private HostPort addressOf(final ClientConnection lost)
    {
        final HostPort address = brokers.get(lost.brokerId());
        return null == address ? lost.bootstrapAddress() : address;
    }

    private void onConnectionLost(final long nowNs, final String reason, final long backoffNs)
    {
        LOG.warn("{}; reconnecting for up to {} ms", reason, TimeUnit.NANOSECONDS.toMillis(reconnectTimeoutNs));
        refreshReason = null;
        state = State.RECONNECTING;
        disconnectedAtNs = nowNs;
        nextAttemptNs = nowNs + backoffNs;
        produceHandlers.clear();
        fetchHandlers.clear();
        groupHandlers.clear();
        topics.clear(); // a restarted broker gives its topics new ids
        coordinatorId = ClientConnection.COORDINATOR_UNKNOWN;
        for (int i = flows.size() - 1; i >= 0; i--)
        {
            flows.get(i).onDisconnected();
        }
        closeConnections();
    }

    private void closeConnections()
    {
        for (final ClientConnection leaderConnection : leaderConnections.values())
        {
            CloseHelper.quietClose(leaderConnection);
        }
        leaderConnections.clear();
        CloseHelper.quietClose(connection);
        connection = null;
    }

    /**
     * Where to reconnect: the live brokers of the latest metadata, then the bootstrap addresses, each once; brokers
     * whose connection was just lost or refused go last.
     */
    private List<HostPort> candidates()
    {
        final LinkedHashSet<HostPort> all = new LinkedHashSet<>(brokers.values());
        all.addAll(bootstrap);
        final List<HostPort> ordered = new ArrayList<>(all.size());
        for (final HostPort address : all)
        {
            if (!suspects.contains(address))
            {
                ordered.add(address);
            }
        }
        for (final HostPort address : all)
        {
            if (suspects.contains(address))
            {
                ordered.add(address);
            }
        }
        return ordered;
    }

    private long attemptTimeoutNs()
    {
        return Math.min(connectTimeoutNs, TimeUnit.SECONDS.toNanos(1));
    }

    private int reconnect(final long nowNs)
    {
        if (state == State.RECONNECTING && nowNs - disconnectedAtNs > reconnectTimeoutNs)
        {
            LOG.error("could not reconnect to the broker within {} ms; failing every running flow",
                TimeUnit.NANOSECONDS.toMillis(reconnectTimeoutNs));
            state = State.DOWN;
            failAll(Errors.connection("lost the connection to the broker and could not reconnect within " +
                TimeUnit.NANOSECONDS.toMillis(reconnectTimeoutNs) + " ms"));
            return 1;
        }
        if (nowNs - nextAttemptNs < 0)
        {
            return 0;
        }
        final List<HostPort> candidates = candidates();
        final HostPort address = candidates.get(Math.floorMod(nextCandidate, candidates.size()));
        try
        {
            connection = connector.connect(address, attemptTimeoutNs(), this);
        }
        catch (final RuntimeException ex)
        {
            nextCandidate++;
            nextAttemptNs = System.nanoTime() + (state == State.DOWN ? DOWN_RETRY_NS : RECONNECT_BACKOFF_NS);
            LOG.debug("reconnect to {} failed: {}", address, ex.getMessage());
            return 1;
        }
        nextCandidate = 0;
        suspects.clear();
        state = State.CONNECTED;
        LOG.info("reconnected, to broker {} at {}", connection.brokerId(), address);
        for (int i = flows.size() - 1; i >= 0; i--)
        {
            if (i < flows.size())
            {
                flows.get(i).onReconnected();
            }
        }
        return 1;
    }

    void remove(final Flow flow)
    {
        flows.remove(flow);
    }

    long nextCorrelationId()
    {
        return nextCorrelationId++;
    }

    long nextSessionId()
    {
        return nextSessionId++;
    }

    void expectProduceResponse(final long correlationId, final ProduceHandler handler)
    {
        produceHandlers.put(correlationId, handler);
    }

    void forgetProduceResponse(final long correlationId)
    {
        produceHandlers.remove(correlationId);
    }

    void expectGroupResponse(final long correlationId, final GroupHandler handler)
    {
        groupHandlers.put(correlationId, handler);
    }

    void registerFetch(final long sessionId, final FetchHandler handler)
    {
        fetchHandlers.put(sessionId, handler);
    }

    void unregisterFetch(final long sessionId)
    {
        fetchHandlers.remove(sessionId);
    }

    /**
     * A topic's metadata, from the cache or asked of the broker (blocking).
     *
     * @param name of the topic.
     * @return its metadata.
     * @throws SluiceException if the broker does not know it or does not answer.
     */
    TopicMetadata topic(final String name)
    {
        TopicMetadata metadata = topics.get(name);
        if (null == metadata)
        {
            try
            {
                final TopicDescription description = connection().describeTopics(name, true).get(0);
                learnBrokers();
                final String maxMessageBytes = description.config().get(TopicMetadata.MAX_MESSAGE_BYTES_CONFIG);
                final int[] leaders = new int[description.partitions().size()];
                Arrays.fill(leaders, -1);
                for (final TopicDescription.PartitionDescription partition : description.partitions())
                {
                    if (partition.partition() >= 0 && partition.partition() < leaders.length)
                    {
                        leaders[partition.partition()] = partition.leader();
                    }
                }
                metadata = new TopicMetadata(description.name(), description.topicId(), leaders.length,
                    null == maxMessageBytes ? connection().maxFrameLength() : Integer.parseInt(maxMessageBytes),
                    leaders);
            }
            catch (final SluiceClientException ex)
            {
                throw Errors.of(ex);
            }
            topics.put(name, metadata);
        }
        return metadata;
    }

    /**
     * Take the live brokers named by the metadata connection's latest answer (kept if it named none).
     */
    void learnBrokers()
    {
        final Map<Integer, HostPort> named = connection.brokers();
        if (!named.isEmpty())
        {
            brokers = named;
        }
        coordinatorId = connection.coordinatorId();
    }

    void forgetTopic(final String name)
    {
        topics.remove(name);
    }

    public void onProduceResponse(
        final long correlationId,
        final int topicId,
        final int partition,
        final ErrorCode errorCode,
        final long baseOffset,
        final long logStartOffset,
        final String errorMessage)
    {
        final ProduceHandler handler = produceHandlers.remove(correlationId);
        if (null != handler)
        {
            handler.onProduceResponse(errorCode, baseOffset, errorMessage);
        }
        else if (errorCode != ErrorCode.NONE)
        {
            // acks=0 requests are forgotten once offered: the broker only answers them when they fail.
            LOG.warn("produce request {} to topic id {} partition {} failed: {} {}",
                correlationId, topicId, partition, errorCode, errorMessage);
        }
    }

    public void onFetchStatus(
        final long correlationId,
        final long sessionId,
        final ErrorCode errorCode,
        final long nextOffset,
        final long logStartOffset,
        final long highWatermark,
        final String errorMessage)
    {
        final FetchHandler handler = fetchHandlers.get(sessionId);
        if (null != handler)
        {
            handler.onFetchStatus(errorCode, nextOffset, errorMessage);
        }
    }

    public void onFetchData(
        final long sessionId,
        final int topicId,
        final int partition,
        final long fromOffset,
        final long toOffset,
        final long highWatermark,
        final DirectBuffer buffer,
        final int offset,
        final int length)
    {
        final FetchHandler handler = fetchHandlers.get(sessionId);
        if (null != handler)
        {
            handler.onFetchData(fromOffset, toOffset, buffer, offset, length);
        }
    }

    public void onJoinGroupResponse(
        final long correlationId,
        final ErrorCode errorCode,
        final int generation,
        final String memberId,
        final String errorMessage)
    {
        final GroupHandler handler = groupHandlers.remove(correlationId);
        if (null == handler)
        {
            return;
        }
        if (joinAnswersToDrop > 0)
        {
            joinAnswersToDrop--;
            LOG.warn("join answer {} dropped, as asked for a test", correlationId);
            return;
        }
        handler.onJoinGroupResponse(errorCode, generation, memberId, errorMessage);
    }

    /**
     * Drop the next join answers as if lost on the way; for tests of the membership's answer deadlines.
     *
     * @param count of answers to drop.
     */
    void dropJoinAnswers(final int count)
    {
        joinAnswersToDrop = count;
    }

    public void onSyncGroupResponse(
        final long correlationId,
        final ErrorCode errorCode,
        final int generation,
        final List<PartitionRef> assignment,
        final String errorMessage)
    {
        final GroupHandler handler = groupHandlers.remove(correlationId);
        if (null != handler)
        {
            handler.onSyncGroupResponse(errorCode, generation, assignment, errorMessage);
        }
    }

    public void onGroupResponse(
        final long correlationId, final ErrorCode errorCode, final int generation, final String errorMessage)
    {
        final GroupHandler handler = groupHandlers.remove(correlationId);
        if (null != handler)
        {
            handler.onGroupResponse(errorCode, generation, errorMessage);
        }
    }

    public void onError(
        final long correlationId, final ErrorCode errorCode, final int requestTemplateId, final String errorMessage)
    {
        final ProduceHandler handler = produceHandlers.remove(correlationId);
        final GroupHandler groupHandler = null == handler ? groupHandlers.remove(correlationId) : null;
        if (null != handler)
        {
            handler.onProduceResponse(errorCode, -1, errorMessage);
        }
        else if (null != groupHandler)
        {
            groupHandler.onGroupResponse(errorCode, -1, errorMessage);
        }
        else
        {
            LOG.warn("broker error for request {} (template {}): {} {}",
                correlationId, requestTemplateId, errorCode, errorMessage);
        }
    }

    private int drainCommands()
    {
        int work = 0;
        Runnable command;
        while (work < COMMAND_LIMIT && null != (command = commands.poll()))
        {
            try
            {
                command.run();
            }
            catch (final RuntimeException ex)
            {
                LOG.error("client command failed", ex);
            }
            work++;
        }
        return work;
    }

    private void failAll(final SluiceException error)
    {
        for (int i = flows.size() - 1; i >= 0; i--)
        {
            if (i < flows.size())
            {
                flows.get(i).fail(error);
            }
        }
        flows.clear();
        produceHandlers.clear();
        fetchHandlers.clear();
        groupHandlers.clear();
    }
}
