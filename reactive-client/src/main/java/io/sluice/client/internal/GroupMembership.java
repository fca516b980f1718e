package io.sluice.client.internal;

import io.sluice.client.ConsumerOptions;
import io.sluice.client.SluiceException;
import io.sluice.client.TopicPartition;
import io.sluice.codecs.client.Assignor;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.PartitionRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One consumer's membership of its group: join, sync, heartbeat, leave, and what to do with its partitions when
 * the group rebalances or forgets it. Runs on the agent thread, driven by its {@link Owner}'s duty cycle.
 * <p>
 * States: {@code UNJOINED} (a join goes out on the next cycle), {@code JOINING} (waiting for the generation to
 * form), {@code SYNCING} (waiting for the assignment), {@code STABLE} (reading, heartbeating), {@code REJOINING}
 * (a rebalance began: partitions being given up are drained, heartbeats go on, and the join goes out once nothing
 * is draining), {@code LEFT}.
 */
final class GroupMembership implements ClientAgent.GroupHandler
{
    enum State
    {
        UNJOINED, JOINING, SYNCING, STABLE, REJOINING, LEFT
    }

    /**
     * What the membership asks of the flow that reads the partitions.
     */
    interface Owner
    {
        /**
         * @return the partitions read now and not being given up.
         */
        Set<TopicPartition> owned();

        /**
         * @return whether some partition is still being given up (its emitted records awaited).
         */
        boolean draining();

        /**
         * Start giving these partitions up: stop fetching, drop what was not emitted, wait (up to the revoke timeout)
         * for emitted records to be acknowledged and commit them.
         *
         * @param partitions to give up.
         */
        void revoke(Collection<TopicPartition> partitions);

        /**
         * The generation's assignment: read these (new ones from the committed offset); with a cooperative assignor
         * give up the ones read now that are not among them.
         *
         * @param partitions assigned.
         */
        void assign(List<TopicPartition> partitions);

        /**
         * The group no longer counts this consumer as a member (removed, or the connection was lost): commits are
         * refused from now on. Partitions are held, unread, until the next assignment says whether they are still
         * this consumer's.
         */
        void lose();

        /**
         * End the receive with an error that rejoining cannot fix.
         *
         * @param error the cause.
         */
        void failMembership(SluiceException error);
    }

    private static final Logger LOG = LoggerFactory.getLogger(GroupMembership.class);

    private final ClientAgent agent;
    private final ConsumerOptions<?, ?> options;
    private final Owner owner;
    private final Assignor assignor;
    private final boolean cooperative;
    private final long heartbeatIntervalNs;
    /** How long a join may wait for its generation: the coordinator answers by the rebalance timeout. */
    private final long joinTimeoutNs;
    /** How long a sync or heartbeat may go unanswered (the coordinator answers them at once). */
    private final long answerTimeoutNs;
    private State state = State.UNJOINED;
    private Set<String> topics;
    private String memberId = "";
    private int generation = -1;
    private long heartbeatDueNs;
    private boolean heartbeatInFlight;
    /** While JOINING or SYNCING, or a heartbeat is in flight: when to give up waiting for its answer. */
    private long answerDeadlineNs;
    /**
     * Answers are acted on in the next duty cycle, not in the callback: acting may need a blocking call (a committed
     * offset), and the callback can run inside another blocking call's wait.
     */
    private final ArrayDeque<Runnable> answers = new ArrayDeque<>();

    GroupMembership(
        final ClientAgent agent, final ConsumerOptions<?, ?> options, final Owner owner, final Set<String> topics)
    {
        this.agent = agent;
        this.options = options;
        this.owner = owner;
        this.topics = Set.copyOf(topics);
        this.assignor = switch (options.assignor())
        {
            case RANGE -> Assignor.RANGE;
            case ROUND_ROBIN -> Assignor.ROUND_ROBIN;
            case COOPERATIVE_STICKY -> Assignor.COOPERATIVE_STICKY;
        };
        this.cooperative = assignor == Assignor.COOPERATIVE_STICKY;
        this.heartbeatIntervalNs = options.heartbeatInterval().toNanos();
        this.joinTimeoutNs = options.rebalanceTimeout().plus(options.sessionTimeout()).toNanos();
        this.answerTimeoutNs = options.sessionTimeout().toNanos();
    }

    State state()
    {
        return state;
    }

    String memberId()
    {
        return memberId;
    }

    int generation()
    {
        return generation;
    }

    /**
     * @return whether commits can be made now: this consumer is a member of a generation.
     */
    boolean isMember()
    {
        return generation >= 0 && !memberId.isEmpty();
    }

    int doWork(final long nowNs)
    {
        int work = 0;
        Runnable answer;
        while (null != (answer = answers.pollFirst()))
        {
            answer.run();
            work++;
        }
        if (state == State.REJOINING && !owner.draining())
        {
            state(State.UNJOINED, "partitions given up");
        }
        if ((state == State.JOINING || state == State.SYNCING || heartbeatInFlight) &&
            nowNs - answerDeadlineNs >= 0)
        {
            // An answer that never came (lost with a connection that stayed up, or dropped on the client) would
            // leave this member waiting for ever while the coordinator times it out: start again on new connections.
            agent.requestRefresh("group " + options.groupId() + ": member " + memberId + " got no answer while " +
                (heartbeatInFlight ? "heartbeating" : state) + ": reconnecting to join again");
            answerDeadlineNs = nowNs + answerTimeoutNs; // once: the refresh resets this membership
            return work + 1;
        }
        if (state == State.UNJOINED)
        {
            work += join(nowNs);
        }
        if ((state == State.STABLE || state == State.REJOINING) && !heartbeatInFlight && nowNs - heartbeatDueNs >= 0)
        {
            final long correlationId = agent.nextCorrelationId();
            final ClientConnection coordinator = agent.coordinatorConnection();
            if (null != coordinator &&
                coordinator.offerGroupHeartbeat(correlationId, options.groupId(), memberId, generation) > 0)
            {
                agent.expectGroupResponse(correlationId, this);
                heartbeatInFlight = true;
                heartbeatDueNs = nowNs + heartbeatIntervalNs;
                answerDeadlineNs = nowNs + answerTimeoutNs;
                work++;
            }
        }
        return work;
    }

    /**
     * The subscription changed (a pattern matched new topics): rejoin with it.
     *
     * @param subscribed topics now.
     */
    void subscribe(final Set<String> subscribed)
    {
        if (!subscribed.equals(topics))
        {
            topics = Set.copyOf(subscribed);
            if (state == State.STABLE)
            {
                rebalance("the subscription changed to " + new TreeSet<>(topics));
            }
        }
    }

    /**
     * A commit was refused because the group moved on: rejoin.
     *
     * @param errorCode of the refusal.
     */
    void onCommitFenced(final ErrorCode errorCode)
    {
        if (state != State.LEFT && isMember())
        {
            lost(errorCode == ErrorCode.UNKNOWN_MEMBER, "a commit was refused: " + errorCode);
        }
    }

    /**
     * The connection was lost: the broker forgot this member (it removes the members of a closed connection).
     */
    void onDisconnected()
    {
        heartbeatInFlight = false;
        answers.clear();
        if (state != State.LEFT)
        {
            lost(true, "the connection was lost");
        }
    }

    /**
     * Leave the group now (the receive ended), without waiting for the session timeout.
     */
    void leave()
    {
        if (state != State.LEFT && !memberId.isEmpty() && agent.state() == ClientAgent.State.CONNECTED)
        {
            try
            {
                final ClientConnection coordinator = agent.coordinatorConnection();
                if (null != coordinator)
                {
                    coordinator.offerLeaveGroup(agent.nextCorrelationId(), options.groupId(), memberId);
                }
            }
            catch (final SluiceException ex)
            {
                LOG.debug("group {}: member {} leaves without telling the coordinator: {}", options.groupId(),
                    memberId, ex.getMessage()); // its session times out there instead
            }
        }
        state(State.LEFT, "the receive ended");
    }

    public void onJoinGroupResponse(
        final ErrorCode errorCode, final int generation, final String memberId, final String errorMessage)
    {
        answers.addLast(() -> onJoined(errorCode, generation, memberId, errorMessage));
    }

    public void onSyncGroupResponse(
        final ErrorCode errorCode, final int generation, final List<PartitionRef> assignment, final String message)
    {
        answers.addLast(() -> onSynced(errorCode, generation, assignment, message));
    }

    public void onGroupResponse(final ErrorCode errorCode, final int generation, final String errorMessage)
    {
        answers.addLast(() -> onHeartbeatAnswered(errorCode, errorMessage));
    }

    private void onJoined(
        final ErrorCode errorCode, final int generation, final String memberId, final String errorMessage)
    {
        if (state != State.JOINING)
        {
            return;
        }
        switch (errorCode)
        {
            case NONE ->
            {
                this.memberId = memberId;
                this.generation = generation;
                final long correlationId = agent.nextCorrelationId();
                final ClientConnection coordinator = agent.coordinatorConnection();
                if (null != coordinator &&
                    coordinator.offerSyncGroup(correlationId, options.groupId(), memberId, generation) > 0)
                {
                    agent.expectGroupResponse(correlationId, this);
                    answerDeadlineNs = System.nanoTime() + answerTimeoutNs;
                    state(State.SYNCING, "generation " + generation + " formed");
                }
                else
                {
                    state(State.UNJOINED, "the sync request could not be sent");
                }
            }
            case UNKNOWN_MEMBER -> lost(true, "the group does not know member " + this.memberId);
            case NOT_COORDINATOR -> coordinatorMoved(errorMessage);
            case REBALANCE_IN_PROGRESS, NOT_CONNECTED, BROKER_SHUTTING_DOWN ->
                state(State.UNJOINED, errorCode + ": join again");
            default -> fatal(errorCode, "cannot join group " + options.groupId() + ": " + errorCode +
                (errorMessage.isEmpty() ? "" : " (" + errorMessage + ")"));
        }
    }

    private void onSynced(
        final ErrorCode errorCode, final int generation, final List<PartitionRef> assignment, final String message)
    {
        if (state != State.SYNCING)
        {
            return;
        }
        switch (errorCode)
        {
            case NONE ->
            {
                final List<TopicPartition> partitions = new ArrayList<>(assignment.size());
                for (final PartitionRef partition : assignment)
                {
                    partitions.add(new TopicPartition(partition.topic(), partition.partition()));
                }
                state(State.STABLE, "assigned " + partitions + " in generation " + generation);
                heartbeatDueNs = System.nanoTime() + heartbeatIntervalNs;
                owner.assign(partitions);
            }
            case REBALANCE_IN_PROGRESS -> rebalance("the group rebalances again");
            case UNKNOWN_MEMBER, ILLEGAL_GENERATION -> lost(errorCode == ErrorCode.UNKNOWN_MEMBER, "sync: " + errorCode);
            case NOT_COORDINATOR -> coordinatorMoved(message);
            default -> fatal(errorCode, "cannot sync with group " + options.groupId() + ": " + errorCode +
                (message.isEmpty() ? "" : " (" + message + ")"));
        }
    }

    private void onHeartbeatAnswered(final ErrorCode errorCode, final String errorMessage)
    {
        heartbeatInFlight = false;
        if (state == State.LEFT)
        {
            return;
        }
        switch (errorCode)
        {
            case NONE ->
            {
            }
            case REBALANCE_IN_PROGRESS ->
            {
                if (state == State.STABLE)
                {
                    rebalance("the group is rebalancing");
                }
            }
            case UNKNOWN_MEMBER, ILLEGAL_GENERATION ->
            {
                if (state == State.STABLE || state == State.REJOINING)
                {
                    lost(errorCode == ErrorCode.UNKNOWN_MEMBER, "heartbeat: " + errorCode);
                }
            }
            case NOT_COORDINATOR -> coordinatorMoved(errorMessage);
            default ->
            {
                if (state == State.JOINING || state == State.SYNCING)
                {
                    // An ErrorResponse to the join or sync itself (malformed, unknown message): nothing to retry.
                    fatal(errorCode, "group request refused: " + errorCode + " (" + errorMessage + ")");
                }
                else
                {
                    LOG.warn("group {}: heartbeat answered {} {}", options.groupId(), errorCode, errorMessage);
                }
            }
        }
    }

    private int join(final long nowNs)
    {
        final List<PartitionRef> owned = new ArrayList<>();
        if (cooperative)
        {
            for (final TopicPartition partition : owner.owned())
            {
                owned.add(new PartitionRef(partition.topic(), partition.partition()));
            }
        }
        final ClientConnection coordinator = agent.coordinatorConnection();
        if (null == coordinator)
        {
            return 0; // none now: the next duty cycles ask again
        }
        final long correlationId = agent.nextCorrelationId();
        if (coordinator.offerJoinGroup(correlationId, options.groupId(), memberId, assignor,
            (int)options.sessionTimeout().toMillis(), (int)options.rebalanceTimeout().toMillis(), topics, owned) > 0)
        {
            agent.expectGroupResponse(correlationId, this);
            answerDeadlineNs = nowNs + joinTimeoutNs;
            state(State.JOINING, "joining with " + owned.size() + " partitions owned");
            return 1;
        }
        return 0;
    }

    /**
     * The broker asked no longer coordinates groups: the agent reconnects everything, and this member joins the new
     * coordinator as a new member ({@link #onDisconnected}).
     */
    private void coordinatorMoved(final String message)
    {
        agent.coordinatorMoved("group " + options.groupId() + ": the coordinator moved (" + message + ")");
    }

    private void rebalance(final String reason)
    {
        if (!cooperative)
        {
            owner.revoke(owner.owned()); // eager: everything goes back before the group can form again
        }
        state(State.REJOINING, reason);
    }

    private void lost(final boolean forgetMemberId, final String reason)
    {
        LOG.info("group {}: member {} lost its membership: {}", options.groupId(), memberId, reason);
        if (forgetMemberId)
        {
            memberId = "";
        }
        generation = -1;
        owner.lose();
        state(State.UNJOINED, reason);
    }

    private void fatal(final ErrorCode errorCode, final String message)
    {
        state(State.LEFT, message);
        owner.failMembership(Errors.of(errorCode, message, null));
    }

    private void state(final State next, final String reason)
    {
        if (state != next)
        {
            LOG.debug("group {}: member {}: {} -> {} ({})", options.groupId(), memberId, state, next, reason);
        }
        state = next;
    }
}
