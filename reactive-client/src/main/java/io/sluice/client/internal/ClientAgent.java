package io.sluice.client.internal;

import io.sluice.client.SluiceException;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientResponseListener;
import io.sluice.transport.PartitionRef;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The client's I/O agent: the one owner of the {@link ClientConnection} and of every flow's state. Other threads
 * hand it work through {@link #execute}; it runs those commands, polls the connection and dispatches responses, and
 * gives every running flow (a send or a receive subscription) a duty cycle.
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

    private static final long RECONNECT_BACKOFF_NS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long DOWN_RETRY_NS = TimeUnit.SECONDS.toNanos(1);

    private final Supplier<ClientConnection> connector;
    private final long reconnectTimeoutNs;
    private ClientConnection connection;
    private State state = State.CONNECTED;
    private long disconnectedAtNs;
    private long nextAttemptNs;
    private final ManyToOneConcurrentLinkedQueue<Runnable> commands = new ManyToOneConcurrentLinkedQueue<>();
    private final List<Flow> flows = new ArrayList<>();
    private final Long2ObjectHashMap<ProduceHandler> produceHandlers = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<FetchHandler> fetchHandlers = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<GroupHandler> groupHandlers = new Long2ObjectHashMap<>();
    private final Map<String, TopicMetadata> topics = new HashMap<>();
    private volatile boolean closed;
    private long nextSessionId = 1;

    ClientAgent(
        final ClientConnection connection, final Supplier<ClientConnection> connector, final long reconnectTimeoutNs)
    {
        this.connection = connection;
        this.connector = connector;
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

    public int doWork()
    {
        final long nowNs = System.nanoTime();
        if (state == State.CONNECTED && !connection.isConnected())
        {
            onConnectionLost(nowNs);
        }
        if (state != State.CONNECTED)
        {
            final int work = reconnect(nowNs);
            return state == State.DOWN ? work + drainCommands() : work;
        }
        int work = drainCommands();
        work += connection.poll(this, FRAGMENT_LIMIT);
        // Backwards, re-checking the size: a flow may end itself or, through a blocking call, another flow.
        for (int i = flows.size() - 1; i >= 0; i--)
        {
            if (i < flows.size())
            {
                work += flows.get(i).doWork(nowNs);
            }
        }
        return work;
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
        CloseHelper.quietClose(connection);
        connection = null;
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

    private void onConnectionLost(final long nowNs)
    {
        LOG.warn("lost the connection to the broker; reconnecting for up to {} ms",
            TimeUnit.NANOSECONDS.toMillis(reconnectTimeoutNs));
        state = State.RECONNECTING;
        disconnectedAtNs = nowNs;
        nextAttemptNs = nowNs;
        produceHandlers.clear();
        fetchHandlers.clear();
        groupHandlers.clear();
        topics.clear(); // a restarted broker gives its topics new ids
        for (int i = flows.size() - 1; i >= 0; i--)
        {
            flows.get(i).onDisconnected();
        }
        CloseHelper.quietClose(connection);
        connection = null;
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
        try
        {
            connection = connector.get();
        }
        catch (final RuntimeException ex)
        {
            nextAttemptNs = System.nanoTime() + (state == State.DOWN ? DOWN_RETRY_NS : RECONNECT_BACKOFF_NS);
            LOG.debug("reconnect failed: {}", ex.getMessage());
            return 1;
        }
        state = State.CONNECTED;
        LOG.info("reconnected to the broker");
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
        return connection().nextCorrelationId();
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
                final String maxMessageBytes = description.config().get(TopicMetadata.MAX_MESSAGE_BYTES_CONFIG);
                metadata = new TopicMetadata(description.name(), description.topicId(),
                    description.partitions().size(),
                    null == maxMessageBytes ? connection().maxFrameLength() : Integer.parseInt(maxMessageBytes));
            }
            catch (final SluiceClientException ex)
            {
                throw Errors.of(ex);
            }
            topics.put(name, metadata);
        }
        return metadata;
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
        if (null != handler)
        {
            handler.onJoinGroupResponse(errorCode, generation, memberId, errorMessage);
        }
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
