package io.sluice.broker;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.sluice.codecs.RecordBatchDescriptor;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.codecs.replication.ReplicationError;
import io.sluice.engine.LogReadResult;
import io.sluice.engine.PartitionLog;
import io.sluice.transport.controller.BrokerInfo;
import io.sluice.transport.controller.ControllerClient;
import io.sluice.transport.controller.PartitionInfo;
import io.sluice.transport.replication.ReplicationAdapter;
import io.sluice.transport.replication.ReplicationHandler;
import io.sluice.transport.replication.ReplicationProxy;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Replication of the partitions this broker holds, in a cluster (see the broker README's "Replication"):
 * <ul>
 *   <li>As <b>leader</b> it streams each follower's partitions over one publication per follower broker, from the
 *   offset the follower's {@code ReplicaFetch} gave, tracks the log end offset each follower reports, keeps the
 *   high watermark at the least log end offset over the ISR, answers {@code acks=all} produces when the high
 *   watermark passes their batch, and proposes ISR changes to the controller: a follower that has not caught up
 *   for {@code replica.lag.time.max.ms} goes out, one that reaches the high watermark comes back.</li>
 *   <li>As <b>follower</b> it asks its leader for a stream from its log end offset with its latest epoch; a leader
 *   that answers DIVERGING gives the end of the last epoch the two logs share, the follower truncates there and
 *   asks again. It appends what it is sent as it is and reports its log end offset.</li>
 * </ul>
 * Roles come from the controller's metadata ({@link #applyPartition}). Owned by the broker agent: nothing here
 * locks, and the steady-state paths (push, append, progress, acks) do not allocate.
 */
final class ReplicaManager implements ReplicationHandler, AutoCloseable
{
    /** Stream id of replication on a broker's replication port. */
    static final int STREAM_ID = 20;
    /** The most streams waiting for their proof at once; a stream past it is challenged once another is settled. */
    static final int MAX_PENDING_CHALLENGES = 256;
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaManager.class);
    private static final int FRAGMENT_LIMIT = 64;
    private static final int SENDS_PER_CYCLE = 64;

    /**
     * What the broker does when an {@code acks=all} produce is settled.
     */
    interface AckSink
    {
        void onAck(Replica replica, Replica.PendingAck ack, ErrorCode errorCode, String message);
    }

    /**
     * What the broker does when it stops leading a partition: end its consumers' fetches.
     */
    interface RoleListener
    {
        void onLeadershipLost(Replica replica);
    }

    private final int brokerId;
    private final Aeron aeron;
    private final ControllerClient controller;
    private final AckSink ackSink;
    private final RoleListener roleListener;
    private final long lagTimeMaxNs;
    private final long heartbeatIntervalNs;
    private final long fetchTimeoutNs;
    private final long ackTimeoutNs;
    private final int termLength;
    private final ReplicationProxy proxy = new ReplicationProxy();
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(new ReplicationAdapter(this));
    private final Subscription subscription;
    private final Int2ObjectHashMap<Peer> peers = new Int2ObjectHashMap<>();
    private final Long2ObjectHashMap<Replica> byKey = new Long2ObjectHashMap<>();
    private final ArrayList<Replica> replicas = new ArrayList<>();
    private final ArrayDeque<Replica.PendingAck> freeAcks = new ArrayDeque<>();
    private final LogReadResult readResult = new LogReadResult();
    private long nowNs;
    private long nextFetchId = System.nanoTime() & Long.MAX_VALUE | 1;
    private int cursor;
    private long malformed;
    private final io.sluice.transport.controller.ClusterSecret secret;
    private final org.agrona.collections.Int2IntHashMap provenStreams = new org.agrona.collections.Int2IntHashMap(-1);
    private final org.agrona.collections.Int2ObjectHashMap<Challenge> challenges =
        new org.agrona.collections.Int2ObjectHashMap<>();
    private final java.security.SecureRandom random = new java.security.SecureRandom();
    private volatile long unauthenticated; // written by the agent only; read by tests
    private volatile long failedProofs;

    ReplicaManager(
        final SluiceBroker.Context ctx,
        final Aeron aeron,
        final ControllerClient controller,
        final AckSink ackSink,
        final RoleListener roleListener)
    {
        this.brokerId = ctx.brokerId();
        this.secret = ctx.clusterSecret();
        this.aeron = aeron;
        this.controller = controller;
        this.ackSink = ackSink;
        this.roleListener = roleListener;
        this.lagTimeMaxNs = ctx.replicaLagTimeMaxNs();
        this.heartbeatIntervalNs = ctx.replicaHeartbeatIntervalNs();
        this.fetchTimeoutNs = Math.max(heartbeatIntervalNs * 5, lagTimeMaxNs / 2);
        this.ackTimeoutNs = ctx.replicaAckTimeoutNs();
        this.termLength = ctx.replicationTermLength();
        this.subscription = aeron.addSubscription(
            "aeron:udp?endpoint=" + ctx.replicationEndpoint(), STREAM_ID);
    }

    // ------------------------------------------------------------------------------------------------ roles

    Replica replica(final int topicId, final int partition)
    {
        return byKey.get(key(topicId, partition));
    }

    List<Replica> replicas()
    {
        return replicas;
    }

    /**
     * Host a partition: called when the metadata first assigns it to this broker.
     */
    Replica add(final Topic topic, final int partition, final PartitionLog log)
    {
        final Replica replica = new Replica(topic, partition, log);
        byKey.put(key(topic.id, partition), replica);
        replicas.add(replica);
        return replica;
    }

    /**
     * Stop hosting a partition (its topic was deleted): settle its pending produces, stop its streams.
     */
    void remove(final Replica replica)
    {
        failPendingAcks(replica, ErrorCode.TOPIC_DELETED, "topic " + replica.topic.name + " was deleted");
        byKey.remove(key(replica.topic.id, replica.partition));
        replicas.remove(replica);
    }

    /**
     * Apply the controller's view of a partition this broker holds: become its leader or a follower of its leader,
     * or take a new ISR.
     */
    void applyPartition(final Replica replica, final PartitionInfo info, final long nowNs)
    {
        this.nowNs = nowNs;
        final boolean newEpoch = info.leaderEpoch() > replica.leaderEpoch;
        if (!newEpoch && info.partitionEpoch() <= replica.partitionEpoch)
        {
            return;
        }
        replica.partitionEpoch = info.partitionEpoch();
        replica.replicas = toArray(info.replicas());
        replica.isr = toArray(info.isr());
        replica.proposedIsr = null;
        if (!newEpoch)
        {
            if (replica.leader)
            {
                maybeAdvanceHighWatermark(replica);
            }
            return;
        }

        final boolean wasLeader = replica.leader;
        replica.leaderEpoch = info.leaderEpoch();
        replica.leaderId = info.leader();
        replica.leader = info.leader() == brokerId;
        if (wasLeader && !replica.leader)
        {
            failPendingAcks(replica, ErrorCode.NOT_LEADER, "broker " + brokerId + " no longer leads " +
                replica.topic.name + "-" + replica.partition + ": send to the new leader " + info.leader());
            roleListener.onLeadershipLost(replica);
        }
        if (replica.leader)
        {
            becomeLeader(replica);
        }
        else
        {
            replica.followers.clear();
            replica.fetchState = Replica.NEEDS_FETCH;
            replica.fetchRetryAtNs = nowNs;
            replica.fetchId = 0;
            replica.lastHeardNs = nowNs;
            LOG.info("broker {}: follows broker {} for {}-{} in epoch {}", brokerId, info.leader(),
                replica.topic.name, replica.partition, info.leaderEpoch());
        }
    }

    private void becomeLeader(final Replica replica)
    {
        final PartitionLog log = replica.log;
        if (replica.leaderEpoch > log.leaderEpoch())
        {
            log.leaderEpoch(replica.leaderEpoch);
        }
        replica.epochStartOffset = log.logEndOffset();
        replica.followers.clear();
        for (final int id : replica.replicas)
        {
            if (id != brokerId)
            {
                final Replica.Follower follower = new Replica.Follower(id);
                follower.lastCaughtUpNs = nowNs; // an ISR member gets the lag time to report before it goes
                replica.followers.put(id, follower);
            }
        }
        replica.highWatermark = Math.max(replica.highWatermark, log.logStartOffset());
        LOG.info("broker {}: leads {}-{} in epoch {} from offset {} (high watermark {}, ISR {})", brokerId,
            replica.topic.name, replica.partition, replica.leaderEpoch, replica.epochStartOffset,
            replica.highWatermark, Arrays.toString(replica.isr));
        maybeAdvanceHighWatermark(replica);
    }

    /**
     * The metadata's address of a broker, for the publication to it.
     */
    void applyBroker(final BrokerInfo info)
    {
        if (info.nodeId() == brokerId)
        {
            return;
        }
        final String endpoint = info.host() + ':' + info.replicationPort();
        final Peer peer = peers.get(info.nodeId());
        if (null != peer && !peer.endpoint.equals(endpoint))
        {
            peer.close();
            peers.remove(info.nodeId());
        }
        if (!peers.containsKey(info.nodeId()))
        {
            peers.put(info.nodeId(), new Peer(info.nodeId(), endpoint));
        }
    }

    // ------------------------------------------------------------------------------------------------ produce

    /**
     * Hold an {@code acks=all} produce until the high watermark reaches {@code requiredOffset}.
     */
    void awaitHighWatermark(
        final Replica replica, final ClientSession session, final long correlationId, final long baseOffset,
        final long requiredOffset)
    {
        Replica.PendingAck ack = freeAcks.pollFirst();
        if (null == ack)
        {
            ack = new Replica.PendingAck();
        }
        ack.session = session;
        ack.correlationId = correlationId;
        ack.baseOffset = baseOffset;
        ack.requiredOffset = requiredOffset;
        ack.deadlineNs = nowNs + ackTimeoutNs;
        replica.pendingAcks.addLast(ack);
        maybeAdvanceHighWatermark(replica);
    }

    /**
     * The leader appended to a partition: with no follower in the ISR the high watermark moves now.
     */
    void onLeaderAppend(final Replica replica)
    {
        maybeAdvanceHighWatermark(replica);
    }

    private void maybeAdvanceHighWatermark(final Replica replica)
    {
        long candidate = replica.log.logEndOffset();
        for (final int id : replica.isr)
        {
            candidate = Math.min(candidate, followerEnd(replica, id));
        }
        if (null != replica.proposedIsr)
        {
            for (final int id : replica.proposedIsr)
            {
                candidate = Math.min(candidate, followerEnd(replica, id));
            }
        }
        if (candidate > replica.highWatermark)
        {
            replica.highWatermark = candidate;
        }
        final ArrayDeque<Replica.PendingAck> pending = replica.pendingAcks;
        Replica.PendingAck head;
        while (null != (head = pending.peekFirst()) && head.requiredOffset <= replica.highWatermark)
        {
            pending.pollFirst();
            ackSink.onAck(replica, head, ErrorCode.NONE, "");
            release(head);
        }
    }

    private long followerEnd(final Replica replica, final int id)
    {
        if (id == brokerId)
        {
            return Long.MAX_VALUE;
        }
        final Replica.Follower follower = replica.followers.get(id);
        return null == follower || follower.logEndOffset < 0 ? -1 : follower.logEndOffset;
    }

    private void failPendingAcks(final Replica replica, final ErrorCode errorCode, final String message)
    {
        Replica.PendingAck ack;
        while (null != (ack = replica.pendingAcks.pollFirst()))
        {
            ackSink.onAck(replica, ack, errorCode, message);
            release(ack);
        }
    }

    private void release(final Replica.PendingAck ack)
    {
        ack.session = null;
        freeAcks.addLast(ack);
    }

    // ------------------------------------------------------------------------------------------------ duty cycle

    int doWork(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = subscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        final int count = replicas.size();
        int sends = 0;
        for (int i = 0; i < count && sends < SENDS_PER_CYCLE; i++)
        {
            if (cursor >= replicas.size())
            {
                cursor = 0;
            }
            final Replica replica = replicas.get(cursor++);
            sends += replica.leader ? pushToFollowers(replica) : followerDuties(replica);
        }
        return work + sends;
    }

    /**
     * Once per broker timer tick: ISR changes and produce timeouts.
     */
    int onTimer(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = 0;
        for (int i = 0, size = replicas.size(); i < size; i++)
        {
            final Replica replica = replicas.get(i);
            if (replica.leader)
            {
                work += expireAcks(replica);
                work += maybeChangeIsr(replica);
            }
        }
        return work;
    }

    private int expireAcks(final Replica replica)
    {
        int expired = 0;
        Replica.PendingAck head;
        while (null != (head = replica.pendingAcks.peekFirst()) && nowNs - head.deadlineNs >= 0)
        {
            replica.pendingAcks.pollFirst();
            ackSink.onAck(replica, head, ErrorCode.REQUEST_TIMED_OUT, "the in-sync replicas of " +
                replica.topic.name + "-" + replica.partition + " did not confirm offset " + head.baseOffset +
                " in time (ISR " + Arrays.toString(replica.isr) + ", high watermark " + replica.highWatermark + ")");
            release(head);
            expired++;
        }
        return expired;
    }

    private int maybeChangeIsr(final Replica replica)
    {
        if (null != replica.proposedIsr)
        {
            return 0;
        }
        final long leaderEnd = replica.log.logEndOffset();
        int[] proposed = replica.isr;
        for (final int id : replica.isr)
        {
            final Replica.Follower follower = replica.followers.get(id);
            if (id != brokerId && (null == follower || nowNs - follower.lastCaughtUpNs > lagTimeMaxNs))
            {
                proposed = without(proposed, id);
            }
        }
        for (final int id : replica.replicas)
        {
            final Replica.Follower follower = replica.followers.get(id);
            if (id != brokerId && !Replica.contains(proposed, id) && null != follower &&
                follower.logEndOffset >= replica.highWatermark && follower.logEndOffset >= replica.epochStartOffset &&
                nowNs - follower.lastCaughtUpNs <= lagTimeMaxNs)
            {
                proposed = with(proposed, id);
            }
        }
        if (Arrays.equals(proposed, replica.isr))
        {
            return 0;
        }
        final int[] isr = proposed;
        replica.proposedIsr = isr;
        LOG.info("broker {}: proposes ISR {} for {}-{} (was {}, log end {})", brokerId, Arrays.toString(isr),
            replica.topic.name, replica.partition, Arrays.toString(replica.isr), leaderEnd);
        final List<Integer> list = new ArrayList<>(isr.length);
        for (final int id : isr)
        {
            list.add(id);
        }
        final int partitionEpoch = replica.partitionEpoch;
        controller.alterPartition(replica.topic.id, replica.partition, replica.leaderEpoch, partitionEpoch, list)
            .whenComplete((response, error) ->
            {
                // Completed by the controller client's duty cycle, which the broker agent runs.
                if (null != error || !response.isOk())
                {
                    LOG.info("broker {}: ISR change of {}-{} refused: {}", brokerId, replica.topic.name,
                        replica.partition, null != error ? error.toString() : response);
                    if (replica.proposedIsr == isr)
                    {
                        replica.proposedIsr = null;
                    }
                }
                else if (replica.partitionEpoch > partitionEpoch && replica.proposedIsr == isr)
                {
                    replica.proposedIsr = null;
                }
            });
        return 1;
    }

    // ------------------------------------------------------------------------------------------------ leader

    private int pushToFollowers(final Replica replica)
    {
        int sends = 0;
        final long leaderEnd = replica.log.logEndOffset();
        for (final int id : replica.replicas)
        {
            if (id == brokerId)
            {
                continue;
            }
            final Replica.Follower follower = replica.followers.get(id);
            if (null == follower || 0 == follower.fetchId)
            {
                continue;
            }
            final Peer peer = peers.get(id);
            if (null == peer)
            {
                continue;
            }
            if (follower.nextOffset < leaderEnd)
            {
                sends += pushData(replica, follower, peer);
            }
            else if (follower.highWatermarkSent != replica.highWatermark ||
                nowNs - follower.lastSentNs >= heartbeatIntervalNs)
            {
                final int length = proxy.dataHeader(brokerId, replica.topic.id, replica.partition,
                    replica.leaderEpoch, follower.fetchId, follower.nextOffset, replica.highWatermark,
                    replica.log.logStartOffset());
                if (peer.offer(proxy.buffer(), length, null, 0, 0))
                {
                    follower.highWatermarkSent = replica.highWatermark;
                    follower.lastSentNs = nowNs;
                    sends++;
                }
            }
        }
        return sends;
    }

    private int pushData(final Replica replica, final Replica.Follower follower, final Peer peer)
    {
        final ExclusivePublication publication = peer.publication();
        if (null == publication || !publication.isConnected())
        {
            return 0;
        }
        final int maxBytes = publication.maxMessageLength() - 128;
        final int status = replica.log.read(follower.nextOffset, maxBytes, readResult);
        try
        {
            if (status == LogReadResult.OFFSET_OUT_OF_RANGE)
            {
                // Retention removed what the follower needs next: it must start again from the log start.
                final int length = proxy.fetchResponse(brokerId, replica.topic.id, replica.partition,
                    replica.leaderEpoch, follower.fetchId, ReplicationError.OFFSET_OUT_OF_RANGE, -1, -1,
                    replica.log.logStartOffset(), replica.highWatermark);
                if (peer.offer(proxy.buffer(), length, null, 0, 0))
                {
                    follower.fetchId = 0;
                }
                return 1;
            }
            if (status != LogReadResult.OK)
            {
                return 0;
            }
            final int length = readResult.length() > maxBytes ? firstBatchesWithin(maxBytes) : readResult.length();
            final int headerLength = proxy.dataHeader(brokerId, replica.topic.id, replica.partition,
                replica.leaderEpoch, follower.fetchId, follower.nextOffset, replica.highWatermark,
                replica.log.logStartOffset());
            if (peer.offer(proxy.buffer(), headerLength, readResult.buffer(), 0, length))
            {
                // Batches are contiguous in offsets: when only some were sent, the next starts where the rest do.
                follower.nextOffset = length == readResult.length() ? readResult.nextOffset() :
                    RecordBatchDescriptor.baseOffset(readResult.buffer(), length);
                follower.highWatermarkSent = replica.highWatermark;
                follower.lastSentNs = nowNs;
                return 1;
            }
            return 0;
        }
        finally
        {
            readResult.release();
        }
    }

    private int firstBatchesWithin(final int maxBytes)
    {
        int length = 0;
        while (length < readResult.length())
        {
            final int batchLength = readResult.batchLengthAt(length);
            if (length + batchLength > maxBytes)
            {
                break;
            }
            length += batchLength;
        }
        if (0 == length)
        {
            throw new IllegalStateException("a batch of " + readResult.batchLengthAt(0) + " bytes is larger than " +
                "a replication message (" + maxBytes + " bytes): raise replication.term.length");
        }
        return length;
    }

    public boolean onFetch(
        final int fromBroker, final int topicId, final int partition, final int leaderEpoch,
        final int lastFetchedEpoch, final long fetchOffset, final long fetchId)
    {
        final Peer peer = peers.get(fromBroker);
        if (null == peer)
        {
            return true; // not a broker the metadata knows yet; it asks again
        }
        final Replica replica = replica(topicId, partition);
        ReplicationError error = ReplicationError.NONE;
        int divergingEpoch = -1;
        long divergingEnd = -1;
        if (null == replica)
        {
            error = ReplicationError.NOT_LEADER;
        }
        else if (leaderEpoch > replica.leaderEpoch)
        {
            error = ReplicationError.UNKNOWN_LEADER_EPOCH;
        }
        else if (leaderEpoch < replica.leaderEpoch)
        {
            error = ReplicationError.FENCED_LEADER_EPOCH;
        }
        else if (!replica.leader)
        {
            error = ReplicationError.NOT_LEADER;
        }
        else if (!replica.isReplica(fromBroker))
        {
            error = ReplicationError.NOT_REPLICA;
        }
        else
        {
            final PartitionLog log = replica.log;
            if (lastFetchedEpoch >= 0)
            {
                final int epoch = log.epochAtOrBelow(lastFetchedEpoch);
                final long end = log.endOffsetForEpoch(lastFetchedEpoch);
                if (epoch != lastFetchedEpoch || end < fetchOffset)
                {
                    error = ReplicationError.DIVERGING;
                    divergingEpoch = epoch;
                    divergingEnd = epoch < 0 ? log.logStartOffset() : end;
                }
            }
            else if (fetchOffset > log.logEndOffset())
            {
                error = ReplicationError.DIVERGING;
                divergingEnd = log.logEndOffset();
            }
            if (error == ReplicationError.NONE && fetchOffset < log.logStartOffset())
            {
                error = ReplicationError.OFFSET_OUT_OF_RANGE;
            }
        }

        final int length = proxy.fetchResponse(brokerId, topicId, partition,
            null == replica ? -1 : replica.leaderEpoch, fetchId, error, divergingEpoch, divergingEnd,
            null == replica ? -1 : replica.log.logStartOffset(), null == replica ? -1 : replica.highWatermark);
        if (!peer.offer(proxy.buffer(), length, null, 0, 0))
        {
            return !peer.isBackPressured(); // lost if not connected: the follower asks again
        }
        if (error == ReplicationError.NONE)
        {
            final Replica.Follower follower = replica.followers.get(fromBroker);
            follower.fetchId = fetchId;
            follower.nextOffset = fetchOffset;
            follower.lastSentNs = nowNs;
            follower.highWatermarkSent = replica.highWatermark;
            progress(replica, follower, fetchOffset);
            LOG.info("broker {}: streams {}-{} to broker {} from offset {}", brokerId, replica.topic.name,
                partition, fromBroker, fetchOffset);
        }
        return true;
    }

    public boolean onProgress(
        final int fromBroker, final int topicId, final int partition, final int leaderEpoch, final long fetchId,
        final long logEndOffset)
    {
        final Replica replica = replica(topicId, partition);
        if (null == replica || !replica.leader || leaderEpoch != replica.leaderEpoch)
        {
            return true;
        }
        final Replica.Follower follower = replica.followers.get(fromBroker);
        if (null == follower || follower.fetchId != fetchId || logEndOffset > replica.log.logEndOffset())
        {
            return true;
        }
        progress(replica, follower, logEndOffset);
        return true;
    }

    /**
     * Kafka's rule for "caught up": the follower reached the leader's log end as it is now, or as it was when the
     * follower last reported.
     */
    private void progress(final Replica replica, final Replica.Follower follower, final long logEndOffset)
    {
        final long leaderEnd = replica.log.logEndOffset();
        if (logEndOffset >= leaderEnd)
        {
            follower.lastCaughtUpNs = nowNs;
        }
        else if (follower.leaderEndAtLastProgress >= 0 && logEndOffset >= follower.leaderEndAtLastProgress)
        {
            follower.lastCaughtUpNs = Math.max(follower.lastCaughtUpNs, follower.lastProgressNs);
        }
        follower.leaderEndAtLastProgress = leaderEnd;
        follower.lastProgressNs = nowNs;
        follower.logEndOffset = logEndOffset;
        maybeAdvanceHighWatermark(replica);
    }

    // ------------------------------------------------------------------------------------------------ follower

    private int followerDuties(final Replica replica)
    {
        if (replica.leaderId < 0)
        {
            return 0;
        }
        final Peer leader = peers.get(replica.leaderId);
        if (null == leader)
        {
            return 0;
        }
        if (replica.fetchState == Replica.FETCHING)
        {
            final long end = replica.log.logEndOffset();
            if (end != replica.progressSent || nowNs - replica.progressSentNs >= heartbeatIntervalNs)
            {
                final int length = proxy.progress(
                    brokerId, replica.topic.id, replica.partition, replica.leaderEpoch, replica.fetchId, end);
                if (leader.offer(proxy.buffer(), length, null, 0, 0))
                {
                    replica.progressSent = end;
                    replica.progressSentNs = nowNs;
                    return 1;
                }
            }
            if (nowNs - replica.lastHeardNs > fetchTimeoutNs)
            {
                LOG.info("broker {}: nothing from broker {} for {} in {} ms: fetching again", brokerId,
                    replica.leaderId, replica, (nowNs - replica.lastHeardNs) / 1_000_000);
                replica.fetchState = Replica.NEEDS_FETCH;
                replica.fetchRetryAtNs = nowNs;
            }
            return 0;
        }
        if (replica.fetchState == Replica.FETCH_SENT && nowNs - replica.lastHeardNs > fetchTimeoutNs)
        {
            replica.fetchState = Replica.NEEDS_FETCH;
        }
        if (replica.fetchState == Replica.NEEDS_FETCH && nowNs - replica.fetchRetryAtNs >= 0)
        {
            final long fetchId = nextFetchId++;
            final int length = proxy.fetch(brokerId, replica.topic.id, replica.partition, replica.leaderEpoch,
                latestEpoch(replica.log), replica.log.logEndOffset(), fetchId);
            if (leader.offer(proxy.buffer(), length, null, 0, 0))
            {
                replica.fetchId = fetchId;
                replica.fetchState = Replica.FETCH_SENT;
                replica.lastHeardNs = nowNs;
                return 1;
            }
            replica.fetchRetryAtNs = nowNs + heartbeatIntervalNs;
        }
        return 0;
    }

    private static int latestEpoch(final PartitionLog log)
    {
        return log.epochAtOrBelow(Integer.MAX_VALUE);
    }

    public boolean onFetchResponse(
        final int fromBroker, final int topicId, final int partition, final int leaderEpoch, final long fetchId,
        final ReplicationError error, final int divergingEpoch, final long divergingEndOffset,
        final long logStartOffset, final long highWatermark)
    {
        final Replica replica = replica(topicId, partition);
        if (null == replica || replica.leader || fromBroker != replica.leaderId || fetchId != replica.fetchId ||
            replica.fetchState != Replica.FETCH_SENT)
        {
            return true;
        }
        replica.lastHeardNs = nowNs;
        final PartitionLog log = replica.log;
        switch (error)
        {
            case NONE:
                replica.fetchState = Replica.FETCHING;
                replica.progressSent = -1;
                followerHighWatermark(replica, highWatermark);
                break;

            case DIVERGING:
            {
                long target = divergingEndOffset;
                if (divergingEpoch >= 0)
                {
                    final long ownEnd = log.endOffsetForEpoch(divergingEpoch);
                    if (ownEnd >= 0)
                    {
                        target = Math.min(target, ownEnd);
                    }
                }
                truncate(replica, target, logStartOffset);
                replica.fetchState = Replica.NEEDS_FETCH;
                replica.fetchRetryAtNs = nowNs;
                break;
            }

            case OFFSET_OUT_OF_RANGE:
                LOG.warn("broker {}: leader {} no longer holds offset {} of {}: starting again at {}", brokerId,
                    fromBroker, log.logEndOffset(), replica, logStartOffset);
                log.truncateFullyAndStartAt(Math.max(0, logStartOffset));
                replica.highWatermark = Math.max(replica.highWatermark, log.logStartOffset());
                replica.fetchState = Replica.NEEDS_FETCH;
                replica.fetchRetryAtNs = nowNs;
                break;

            default:
                // NOT_LEADER, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_REPLICA: the metadata will settle it.
                replica.fetchState = Replica.NEEDS_FETCH;
                replica.fetchRetryAtNs = nowNs + heartbeatIntervalNs;
                break;
        }
        return true;
    }

    private void truncate(final Replica replica, final long target, final long leaderLogStart)
    {
        final PartitionLog log = replica.log;
        if (target < log.logStartOffset())
        {
            log.truncateFullyAndStartAt(Math.max(0, Math.max(target, leaderLogStart)));
        }
        else
        {
            final long before = log.logEndOffset();
            final long end = log.truncateTo(target);
            if (end < before)
            {
                LOG.warn("broker {}: truncated {} from {} to {}: the leader's log diverged", brokerId, replica,
                    before, end);
            }
        }
        replica.highWatermark = Math.min(replica.highWatermark, log.logEndOffset());
    }

    private static void followerHighWatermark(final Replica replica, final long leaderHighWatermark)
    {
        final long candidate = Math.min(leaderHighWatermark, replica.log.logEndOffset());
        if (candidate > replica.highWatermark)
        {
            replica.highWatermark = candidate;
        }
    }

    public boolean onData(
        final int fromBroker, final int topicId, final int partition, final int leaderEpoch, final long fetchId,
        final long baseOffset, final long highWatermark, final long logStartOffset,
        final DirectBuffer buffer, final int offset, final int length)
    {
        final Replica replica = replica(topicId, partition);
        if (null == replica || replica.leader || fromBroker != replica.leaderId || fetchId != replica.fetchId ||
            replica.fetchState != Replica.FETCHING || leaderEpoch != replica.leaderEpoch)
        {
            return true;
        }
        replica.lastHeardNs = nowNs;
        final PartitionLog log = replica.log;
        if (length > 0)
        {
            if (baseOffset != log.logEndOffset())
            {
                LOG.warn("broker {}: data for {} at offset {} where its log ends at {}: fetching again", brokerId,
                    replica, baseOffset, log.logEndOffset());
                replica.fetchState = Replica.NEEDS_FETCH;
                replica.fetchRetryAtNs = nowNs;
                return true;
            }
            final long result = log.appendAsFollower(buffer, offset, length);
            if (result < 0)
            {
                LOG.warn("broker {}: cannot append the leader's batches to {} (code {}): fetching again", brokerId,
                    replica, result);
                replica.fetchState = Replica.NEEDS_FETCH;
                replica.fetchRetryAtNs = nowNs + heartbeatIntervalNs;
                return true;
            }
        }
        followerHighWatermark(replica, highWatermark);
        return true;
    }

    public void onMalformed(final String reason)
    {
        if (malformed++ % 1000 == 0)
        {
            LOG.warn("broker {}: malformed replication message ({} so far): {}", brokerId, malformed, reason);
        }
    }

    // ------------------------------------------------------------------------------------------------ peer streams

    /*
     * With a cluster secret, a message from a peer is taken only from an Aeron stream proven to be that peer's: on the
     * first message of an unknown stream the receiver sends the claimed peer a challenge (32 random bytes, on its own
     * stream to that peer, whose address the controller gave), and the peer answers on the stream in question with an
     * HMAC of the challenge, the stream's session and both ids under the secret. Until then the stream's messages are
     * dropped (counted): fetches and reports are sent again, so replication resumes once the proof arrives.
     */

    public boolean isAuthenticated(final int sessionId, final int fromBroker)
    {
        return null == secret || provenStreams.get(sessionId) == fromBroker;
    }

    public void onUnauthenticated(final int sessionId, final int fromBroker)
    {
        unauthenticated++;
        final Challenge pending = challenges.get(sessionId);
        if (null != pending && pending.broker == fromBroker && nowNs - pending.sentNs < heartbeatIntervalNs)
        {
            return;
        }
        final Peer peer = peers.get(fromBroker);
        if (null == peer)
        {
            return; // not a broker the metadata knows
        }
        if (null == pending && challenges.size() >= MAX_PENDING_CHALLENGES)
        {
            // Streams that never prove themselves must not grow this without bound, nor crowd out a real peer's
            // new stream: challenges unanswered for the lag time go first.
            challenges.values().removeIf((c) -> nowNs - c.sentNs > lagTimeMaxNs);
            if (challenges.size() >= MAX_PENDING_CHALLENGES)
            {
                return;
            }
        }
        final Challenge challenge = null != pending ? pending : new Challenge();
        challenge.broker = fromBroker;
        challenge.sentNs = nowNs;
        random.nextBytes(challenge.nonce);
        challenges.put(sessionId, challenge);
        peer.offer(proxy.buffer(), proxy.challenge(brokerId, sessionId, challenge.nonce), null, 0, 0);
    }

    public boolean onChallenge(final int fromBroker, final int challengedSession, final byte[] nonce)
    {
        final Peer peer = peers.get(fromBroker);
        if (null == secret || null == peer)
        {
            return true;
        }
        final ExclusivePublication publication = peer.publication();
        if (null == publication || publication.sessionId() != challengedSession)
        {
            return true; // not this broker's stream to the challenger: nothing to prove
        }
        final byte[] answer = secret.proveStream(nonce, challengedSession, brokerId, fromBroker);
        return peer.offer(proxy.buffer(), proxy.proof(brokerId, challengedSession, answer), null, 0, 0);
    }

    public void onProof(final int sessionId, final int fromBroker, final int challenged, final byte[] proof)
    {
        final Challenge challenge = challenges.get(sessionId);
        if (null == secret || null == challenge || challenge.broker != fromBroker || challenged != sessionId)
        {
            return;
        }
        if (java.security.MessageDigest.isEqual(proof,
            secret.proveStream(challenge.nonce, sessionId, fromBroker, brokerId)))
        {
            challenges.remove(sessionId);
            provenStreams.put(sessionId, fromBroker);
            LOG.info("broker {}: broker {}'s replication stream (session {}) proved the cluster secret", brokerId,
                fromBroker, sessionId);
        }
        else
        {
            failedProofs++;
            LOG.warn("broker {}: a replication stream (session {}) claiming to be broker {} failed its proof",
                brokerId, sessionId, fromBroker);
        }
    }

    /**
     * @return partition messages dropped because their stream was not proven to be their sender's.
     */
    long unauthenticatedMessages()
    {
        return unauthenticated;
    }

    /**
     * @return proofs that did not check.
     */
    long failedProofs()
    {
        return failedProofs;
    }

    /** A challenge sent for a stream, waiting for its proof. */
    private static final class Challenge
    {
        int broker;
        long sentNs;
        final byte[] nonce = new byte[32];
    }

    public void close()
    {
        for (final Peer peer : peers.values())
        {
            peer.close();
        }
        peers.clear();
        CloseHelper.quietClose(subscription);
        readResult.release();
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static long key(final int topicId, final int partition)
    {
        return ((long)topicId << 32) | (partition & 0xFFFF_FFFFL);
    }

    private static int[] toArray(final List<Integer> ids)
    {
        final int[] array = new int[ids.size()];
        for (int i = 0; i < array.length; i++)
        {
            array[i] = ids.get(i);
        }
        return array;
    }

    private static int[] without(final int[] ids, final int id)
    {
        return Arrays.stream(ids).filter((candidate) -> candidate != id).toArray();
    }

    private static int[] with(final int[] ids, final int id)
    {
        final int[] result = Arrays.copyOf(ids, ids.length + 1);
        result[ids.length] = id;
        return result;
    }

    /**
     * The publication to one peer broker, carrying every partition the two replicate between them.
     */
    private final class Peer
    {
        final int brokerId;
        final String endpoint;
        private final long registrationId;
        private ExclusivePublication publication;
        private boolean backPressured;

        Peer(final int brokerId, final String endpoint)
        {
            this.brokerId = brokerId;
            this.endpoint = endpoint;
            this.registrationId = aeron.asyncAddExclusivePublication(
                "aeron:udp?endpoint=" + endpoint + "|term-length=" + termLength, STREAM_ID);
        }

        ExclusivePublication publication()
        {
            if (null == publication)
            {
                publication = aeron.getExclusivePublication(registrationId);
            }
            return publication;
        }

        boolean offer(final DirectBuffer header, final int headerLength, final DirectBuffer body, final int offset,
            final int length)
        {
            final ExclusivePublication publication = publication();
            if (null == publication)
            {
                return false;
            }
            final long result = null == body ? publication.offer(header, 0, headerLength) :
                publication.offer(header, 0, headerLength, body, offset, length);
            backPressured = result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION;
            return result > 0;
        }

        boolean isBackPressured()
        {
            return backPressured;
        }

        void close()
        {
            if (null != publication)
            {
                publication.close();
            }
            else
            {
                aeron.asyncRemovePublication(registrationId);
            }
        }
    }
}
