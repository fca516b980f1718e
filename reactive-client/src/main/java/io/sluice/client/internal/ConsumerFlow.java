package io.sluice.client.internal;

import io.sluice.client.AssignmentListener;
import io.sluice.client.ConsumerOptions;
import io.sluice.client.ConsumerRecord;
import io.sluice.client.OffsetReset;
import io.sluice.client.SluiceException;
import io.sluice.client.TopicPartition;
import io.sluice.codecs.RecordBatchView;
import io.sluice.codecs.client.CreditMode;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import io.sluice.transport.ClientProtocol;
import io.sluice.transport.FetchedRecords;
import io.sluice.transport.SluiceClientException;
import io.sluice.transport.TopicDescription;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.FluxSink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One subscription of a {@code receive} Flux: a fetch session per partition, credit in bytes granted while the
 * subscriber wants more records than the flow holds, records emitted within demand, acknowledged offsets committed
 * in order. Runs on the agent thread, apart from what the subscriber does with the records.
 * <p>
 * Memory bound: for each of its {@code n} partitions the flow keeps the bytes it holds (received, not yet emitted)
 * plus the credit it granted and has not received within {@code maxBufferedBytes / n}; credit is topped up to that
 * share when it falls to half of it, and only while demand is unmet.
 * <p>
 * With group membership ({@link ConsumerOptions#usesGroupMembership()}) the partitions come and go with the
 * group's generations (see {@link GroupMembership}). A partition given up stops fetching and drops what it has not
 * emitted at once; its emitted records are awaited (acknowledged ones committed) up to the revoke timeout, and
 * only then does the member rejoin, so the partition's next member starts after every offset this one committed.
 * A partition whose membership was lost is held unread until the next assignment: if it comes back and nobody
 * committed past this member meanwhile, reading resumes where it stopped; otherwise from the committed offset.
 * <p>
 * The {@link AssignmentListener}, if any, is told of partitions as they are added (before their first record is
 * emitted) and as they are removed (after their hand-over: acknowledged records committed, nothing of theirs left
 * to emit), and of every partition left when the flow ends.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
final class ConsumerFlow<K, V> implements ClientAgent.Flow, GroupMembership.Owner
{
    enum Mode
    {
        MANUAL_ACK, AUTO_ACK, AT_MOST_ONCE
    }

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerFlow.class);
    private static final long PATTERN_REFRESH_NS =
        java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(ConsumerOptions.PATTERN_REFRESH_MS);

    private final ClientAgent agent;
    private final ConsumerOptions<K, V> options;
    private final FluxSink<ConsumerRecord<K, V>> sink;
    private final Mode mode;
    private final List<PartitionFetch> partitions = new ArrayList<>();
    private final Int2ObjectHashMap<PartitionFetch> bySlot = new Int2ObjectHashMap<>();
    private final Set<TopicPartition> seeked = new HashSet<>();
    /** Fetch data messages received and not wholly emitted, in arrival order; decoded as they are emitted. */
    private final ArrayDeque<Fetched> buffered = new ArrayDeque<>();
    private final FetchedRecords fetchedRecords = new FetchedRecords();
    private final FetchedRecords.RecordHandler counter = this::count;
    private final FetchedRecords.Cursor cursor = new FetchedRecords.Cursor();
    /** The message {@link #cursor} reads: the head of {@link #buffered}, or null. */
    private Fetched decoding;
    /** The cursor is on the next record of {@link #decoding}, not yet emitted (an at-most-once commit refused it). */
    private boolean cursorOnRecord;
    /** Records received and not emitted, over every partition. */
    private long heldRecords;
    private int countedRecords;
    private long firstCountedOffset;
    private long lastCountedOffset;
    private final HeaderKeys headerKeys = new HeaderKeys();
    private final long commitIntervalNs;
    private final long revokeTimeoutNs;
    private final AssignmentListener listener;
    private GroupMembership membership;
    private int nextSlot;
    private long nowNs;
    private long shareBytes;
    private long commitDeadlineNs;
    private long patternCheckNs;
    private boolean done;

    ConsumerFlow(
        final ClientAgent agent,
        final ConsumerOptions<K, V> options,
        final FluxSink<ConsumerRecord<K, V>> sink,
        final Mode mode)
    {
        this.agent = agent;
        this.options = options;
        this.sink = sink;
        this.mode = mode;
        this.commitIntervalNs = options.commitInterval().toNanos();
        this.revokeTimeoutNs = options.revokeTimeout().toNanos();
        this.listener = options.assignmentListener();
    }

    /**
     * Resolve the partitions and where each starts, and open their fetch sessions. On the agent thread.
     */
    void start()
    {
        try
        {
            if (options.usesGroupMembership())
            {
                final Set<String> subscribed = new TreeSet<>(options.topics());
                for (final String topic : subscribed)
                {
                    agent.topic(topic); // an unknown topic fails the receive now, as without a group
                }
                if (null != options.topicPattern())
                {
                    subscribed.addAll(matchingTopics());
                }
                else if (subscribed.isEmpty())
                {
                    throw Errors.invalid(ErrorCode.INVALID_REQUEST, "the consumer has no topics and no assignment");
                }
                membership = new GroupMembership(agent, options, this, subscribed);
                patternCheckNs = System.nanoTime() + PATTERN_REFRESH_NS;
                commitDeadlineNs = System.nanoTime() + commitIntervalNs;
                agent.add(this);
                return;
            }
            final Set<TopicPartition> wanted = new LinkedHashSet<>(options.assignment());
            for (final String topic : options.topics())
            {
                final TopicMetadata metadata = agent.topic(topic);
                for (int p = 0; p < metadata.partitions(); p++)
                {
                    wanted.add(new TopicPartition(topic, p));
                }
            }
            if (null != options.topicPattern())
            {
                wanted.addAll(newlyMatching());
            }
            else if (wanted.isEmpty())
            {
                throw Errors.invalid(ErrorCode.INVALID_REQUEST, "the consumer has no topics and no assignment");
            }
            addPartitions(wanted);
            notifyAssigned(wanted);
        }
        catch (final SluiceException ex)
        {
            end(ex);
            return;
        }
        catch (final SluiceClientException ex)
        {
            end(Errors.of(ex));
            return;
        }
        patternCheckNs = System.nanoTime() + PATTERN_REFRESH_NS;
        commitDeadlineNs = System.nanoTime() + commitIntervalNs;
        agent.add(this);
    }

    /**
     * Add partitions to read, re-dividing {@code maxBufferedBytes} over all of them.
     *
     * @throws SluiceException if a partition does not exist or a share would be smaller than a topic's largest
     *                         batch.
     */
    private void addPartitions(final Collection<TopicPartition> added)
    {
        if (added.isEmpty())
        {
            return;
        }
        final int count = partitions.size() + added.size();
        final long share = options.maxBufferedBytes() / count;
        final List<TopicMetadata> metadata = new ArrayList<>(added.size());
        for (final TopicPartition tp : added)
        {
            final TopicMetadata topic = agent.topic(tp.topic());
            if (tp.partition() >= topic.partitions())
            {
                throw Errors.invalid(ErrorCode.UNKNOWN_PARTITION,
                    "topic " + tp.topic() + " has " + topic.partitions() + " partitions, not " + tp);
            }
            metadata.add(topic);
        }
        final List<TopicMetadata> all = new ArrayList<>(metadata);
        for (final PartitionFetch partition : partitions)
        {
            all.add(partition.topic);
        }
        for (final TopicMetadata topic : all)
        {
            if (share < topic.maxMessageBytes())
            {
                throw Errors.invalid(ErrorCode.INVALID_REQUEST, "maxBufferedBytes " + options.maxBufferedBytes() +
                    " over " + count + " partitions leaves " + share + " bytes each, less than the " +
                    "largest batch of topic " + topic.name() + " (" + topic.maxMessageBytes() + "): raise it to " +
                    (long)topic.maxMessageBytes() * count + " or more");
            }
        }
        shareBytes = share;
        int i = 0;
        for (final TopicPartition tp : added)
        {
            final TopicMetadata topic = metadata.get(i++);
            final PartitionFetch partition = new PartitionFetch(nextSlot++, tp, topic, startOffset(tp, topic));
            partitions.add(partition);
            bySlot.put(partition.slot, partition);
        }
    }

    /**
     * Stop reading a partition and forget it: its fetch session closes, what it has not emitted is dropped, and the
     * other partitions' shares of {@code maxBufferedBytes} grow.
     */
    private void removePartition(final PartitionFetch partition)
    {
        closeFetch(partition);
        purgeBuffered(partition);
        partitions.remove(partition);
        bySlot.remove(partition.slot);
        if (!partitions.isEmpty())
        {
            shareBytes = options.maxBufferedBytes() / partitions.size();
        }
    }

    private void closeFetch(final PartitionFetch partition)
    {
        if (partition.state != PartitionFetch.State.NEW)
        {
            agent.unregisterFetch(partition.sessionId);
            if (agent.state() == ClientAgent.State.CONNECTED && partition.connection.isConnected())
            {
                partition.connection.offerFetchClose(partition.sessionId);
            }
        }
        partition.state = PartitionFetch.State.NEW;
        partition.outstandingCredit = 0;
    }

    /**
     * Drop a partition's received, not emitted records; it reads again from the first of them when it reopens.
     */
    private void purgeBuffered(final PartitionFetch partition)
    {
        long first = -1;
        final Iterator<Fetched> messages = buffered.iterator();
        while (messages.hasNext())
        {
            final Fetched message = messages.next();
            if (message.slot == partition.slot)
            {
                if (first < 0)
                {
                    first = message.nextOffset();
                }
                partition.bufferedBytes -= message.length - message.chargedBytes;
                heldRecords -= message.count - message.emitted;
                if (message == decoding)
                {
                    decoding = null;
                }
                messages.remove();
            }
        }
        if (first >= 0)
        {
            partition.position = first;
            partition.startOffset = first;
        }
    }

    // ------------------------------------------------------------------------------------------ group membership

    public Set<TopicPartition> owned()
    {
        final Set<TopicPartition> owned = new LinkedHashSet<>();
        for (final PartitionFetch partition : partitions)
        {
            if (!partition.draining && !partition.held)
            {
                owned.add(partition.tp);
            }
        }
        return owned;
    }

    public boolean draining()
    {
        for (final PartitionFetch partition : partitions)
        {
            if (partition.draining)
            {
                return true;
            }
        }
        return false;
    }

    public void revoke(final Collection<TopicPartition> revoked)
    {
        for (final PartitionFetch partition : partitions)
        {
            if (!partition.draining && revoked.contains(partition.tp))
            {
                partition.draining = true;
                partition.revokeDeadlineNs = nowNs + revokeTimeoutNs;
                closeFetch(partition);
                purgeBuffered(partition);
            }
        }
    }

    public void assign(final List<TopicPartition> assigned)
    {
        final Set<TopicPartition> wanted = new LinkedHashSet<>(assigned);
        final List<TopicPartition> dropped = new ArrayList<>();
        try
        {
            for (final PartitionFetch partition : new ArrayList<>(partitions))
            {
                if (partition.draining)
                {
                    continue; // on its way out; the group gives it to nobody until it is gone
                }
                if (wanted.remove(partition.tp))
                {
                    if (partition.held)
                    {
                        resumeHeld(partition);
                    }
                }
                else if (partition.held)
                {
                    removePartition(partition); // lost, and another member's now
                    dropped.add(partition.tp);
                }
                else
                {
                    revoke(List.of(partition.tp));
                }
            }
            notifyRevoked(dropped);
            dropped.clear();
            addPartitions(wanted);
            notifyAssigned(wanted);
        }
        catch (final SluiceException ex)
        {
            if (ex.kind() == SluiceException.Kind.CONNECTION)
            {
                // No answer, or no coordinator now: reconnect; the membership is lost with the connection, and the
                // consumer joins again and is assigned again.
                agent.requestRefresh("cannot take the assignment " + assigned + ": " + ex.getMessage());
                return;
            }
            end(ex);
        }
        catch (final SluiceClientException ex)
        {
            end(Errors.of(ex));
        }
        finally
        {
            notifyRevoked(dropped); // removed before a failure cut the assignment short
        }
    }

    public void lose()
    {
        final List<TopicPartition> abandoned = new ArrayList<>();
        for (final PartitionFetch partition : new ArrayList<>(partitions))
        {
            if (partition.draining)
            {
                LOG.info("{}: abandoning {} unacknowledged records (membership lost)", partition.tp,
                    partition.emitted.size());
                removePartition(partition);
                abandoned.add(partition.tp);
            }
            else
            {
                partition.held = true;
                closeFetch(partition);
                purgeBuffered(partition);
            }
        }
        notifyRevoked(abandoned);
    }

    public void failMembership(final SluiceException error)
    {
        end(error);
    }

    /**
     * A held partition was assigned to this member again: go on from where it stopped unless someone committed past
     * this member's commits in between, then from the committed offset.
     */
    private void resumeHeld(final PartitionFetch partition)
    {
        partition.held = false;
        final long committed = committedOffset(partition.topic, partition.tp);
        if (committed > partition.committed)
        {
            LOG.info("{}: committed to {} by another member meanwhile; reading on from there", partition.tp, committed);
            // Someone else owned it in between: for the listener, an old ownership ends and a new one starts.
            notifyRevoked(List.of(partition.tp));
            notifyAssigned(List.of(partition.tp));
            partition.emitted.clear();
            partition.startOffset = committed;
            partition.position = committed;
            partition.committable = committed;
            partition.committed = committed;
        }
        else if (partition.position >= 0)
        {
            partition.startOffset = partition.position;
        }
    }

    /**
     * Give up the partitions being revoked whose emitted records are all acknowledged and committed, or whose
     * revoke timeout passed (the rest abandoned: the next member reads them again).
     */
    private int drainRevoked(final long nowNs)
    {
        if (!anyDraining())
        {
            return 0; // every duty cycle of a member: allocate nothing when no partition is being revoked
        }
        int work = 0;
        final List<TopicPartition> given = new ArrayList<>();
        try
        {
            for (final PartitionFetch partition : new ArrayList<>(partitions))
            {
                if (!partition.draining)
                {
                    continue;
                }
                if (partition.committable > partition.committed && membership.isMember() &&
                    mode != Mode.AT_MOST_ONCE)
                {
                    if (!commitOffset(partition, partition.committable))
                    {
                        return work + 1; // fenced: the membership was lost and every partition with it
                    }
                    work++;
                }
                if (partition.emitted.isEmpty())
                {
                    removePartition(partition);
                    given.add(partition.tp);
                    work++;
                }
                else if (nowNs - partition.revokeDeadlineNs >= 0)
                {
                    LOG.warn("{}: revoke timeout: abandoning {} unacknowledged records from offset {}",
                        partition.tp, partition.emitted.size(), partition.emitted.peekFirst().offset());
                    removePartition(partition);
                    given.add(partition.tp);
                    work++;
                }
            }
            return work;
        }
        finally
        {
            notifyRevoked(given);
        }
    }

    private boolean anyDraining()
    {
        for (int i = 0, size = partitions.size(); i < size; i++)
        {
            if (partitions.get(i).draining)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the names of every topic the pattern matches now.
     */
    private Set<String> matchingTopics()
    {
        final Set<String> matching = new TreeSet<>();
        try
        {
            for (final TopicDescription topic : agent.connection().describeTopics(null, false))
            {
                if (options.topicPattern().matcher(topic.name()).matches())
                {
                    matching.add(topic.name());
                }
            }
        }
        catch (final SluiceClientException ex)
        {
            throw Errors.of(ex);
        }
        return matching;
    }

    /**
     * @return every partition of the topics matching the pattern that this flow does not read yet.
     */
    private List<TopicPartition> newlyMatching()
    {
        final Set<String> known = new java.util.HashSet<>();
        for (final PartitionFetch partition : partitions)
        {
            known.add(partition.tp.topic());
        }
        final List<TopicPartition> added = new ArrayList<>();
        final List<TopicDescription> topics;
        try
        {
            topics = agent.connection().describeTopics(null, false);
        }
        catch (final SluiceClientException ex)
        {
            throw Errors.of(ex);
        }
        for (final TopicDescription topic : topics)
        {
            if (!known.contains(topic.name()) && options.topicPattern().matcher(topic.name()).matches())
            {
                for (int p = 0; p < topic.partitions().size(); p++)
                {
                    added.add(new TopicPartition(topic.name(), p));
                }
            }
        }
        return added;
    }

    void onDownstreamCancel()
    {
        agent.execute(() ->
        {
            if (!done)
            {
                done = true;
                agent.remove(this);
                advanceAcknowledged();
                try
                {
                    commit();
                }
                catch (final SluiceException ex)
                {
                    LOG.warn("final commit failed: {}", ex.getMessage());
                }
                closeSessions();
                if (null != membership)
                {
                    membership.leave();
                }
                notifyRevoked(allPartitions());
            }
        });
    }

    public int doWork(final long nowNs)
    {
        if (done)
        {
            return 0;
        }
        try
        {
            this.nowNs = nowNs;
            int work = 0;
            if (null != options.topicPattern() && nowNs - patternCheckNs >= 0)
            {
                patternCheckNs = nowNs + PATTERN_REFRESH_NS;
                if (null != membership)
                {
                    membership.subscribe(matchingTopics());
                }
                else
                {
                    final List<TopicPartition> added = newlyMatching();
                    addPartitions(added);
                    notifyAssigned(added);
                    work += added.size();
                }
            }
            if (null != membership)
            {
                work += drainRevoked(nowNs);
                work += membership.doWork(nowNs);
                if (done)
                {
                    return work;
                }
            }
            work += openSessions();
            work += emit();
            work += topUpCredit();
            work += advanceAcknowledged();
            if (nowNs - commitDeadlineNs >= 0)
            {
                commitDeadlineNs = nowNs + commitIntervalNs;
                work += commit();
            }
            return work;
        }
        catch (final SluiceException ex)
        {
            if (ex.kind() != SluiceException.Kind.CONNECTION)
            {
                end(ex);
            }
            // A connection failure (a commit that got no answer) is the agent's to handle: it reconnects, and the
            // commit or record that failed is tried again then.
            return 1;
        }
    }

    public void onDisconnected()
    {
        for (final PartitionFetch partition : partitions)
        {
            partition.onDisconnected();
        }
        if (null != membership)
        {
            membership.onDisconnected();
        }
    }

    public void onReconnected()
    {
        try
        {
            for (final PartitionFetch partition : partitions)
            {
                partition.topic = agent.topic(partition.tp.topic()); // a restarted broker gave it a new id
            }
        }
        catch (final SluiceException ex)
        {
            end(ex);
        }
    }

    public long heldBytes()
    {
        long held = 0;
        for (final PartitionFetch partition : partitions)
        {
            held += partition.outstandingCredit + partition.bufferedBytes;
        }
        return held;
    }

    public void fail(final SluiceException error)
    {
        if (!done)
        {
            done = true;
            agent.remove(this);
            notifyRevoked(allPartitions());
            sink.error(error);
        }
    }

    private void end(final SluiceException error)
    {
        if (!done)
        {
            done = true;
            agent.remove(this);
            closeSessions();
            if (null != membership)
            {
                membership.leave();
            }
            notifyRevoked(allPartitions());
            sink.error(error);
        }
    }

    private List<TopicPartition> allPartitions()
    {
        final List<TopicPartition> all = new ArrayList<>(partitions.size());
        for (final PartitionFetch partition : partitions)
        {
            all.add(partition.tp);
        }
        return all;
    }

    private void notifyAssigned(final Collection<TopicPartition> assigned)
    {
        if (null != listener && !assigned.isEmpty())
        {
            try
            {
                listener.onAssigned(List.copyOf(assigned));
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("assignment listener failed on {} assigned", assigned, ex);
            }
        }
    }

    private void notifyRevoked(final Collection<TopicPartition> revoked)
    {
        if (null != listener && !revoked.isEmpty())
        {
            try
            {
                listener.onRevoked(List.copyOf(revoked));
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("assignment listener failed on {} revoked", revoked, ex);
            }
        }
    }

    private long startOffset(final TopicPartition tp, final TopicMetadata metadata)
    {
        final Long seek = seeked.add(tp) ? options.seeks().get(tp) : null; // a seek positions the first assignment
        if (null != seek)
        {
            if (ConsumerOptions.isTimestampSeek(seek))
            {
                final ClientConnection leader = agent.leaderConnection(metadata, tp.partition());
                if (null == leader)
                {
                    throw Errors.connection("the leader of " + tp + " is not known yet");
                }
                final long offset = leader.offsetForTimestamp(
                    metadata.topicId(), tp.partition(), ConsumerOptions.seekTimestamp(seek));
                return offset < 0 ? ClientProtocol.LATEST_OFFSET : offset;
            }
            return seek == ConsumerOptions.BEGINNING ? ClientProtocol.EARLIEST_OFFSET :
                seek == ConsumerOptions.END ? ClientProtocol.LATEST_OFFSET : seek;
        }
        if (null != options.groupId())
        {
            final long committed = committedOffset(metadata, tp);
            LOG.debug("{}: starting at committed {}", tp, committed);
            if (committed >= 0)
            {
                return committed;
            }
        }
        return resetOffset(tp);
    }

    /**
     * @return the group's committed offset of a partition, asked of the group coordinator; -1 when none.
     * @throws SluiceException of kind {@code CONNECTION} when there is no coordinator now, or it moved.
     */
    private long committedOffset(final TopicMetadata topic, final TopicPartition tp)
    {
        try
        {
            return agent.requireCoordinator().committedOffset(options.groupId(), topic.topicId(), tp.partition());
        }
        catch (final SluiceClientException ex)
        {
            if (ex.errorCode() == ErrorCode.NOT_COORDINATOR)
            {
                agent.coordinatorMoved(tp + ": the group coordinator moved (" + ex.getMessage() + ")");
            }
            throw Errors.of(ex);
        }
    }

    private long resetOffset(final TopicPartition tp)
    {
        return switch (options.offsetReset())
        {
            case EARLIEST -> ClientProtocol.EARLIEST_OFFSET;
            case LATEST -> ClientProtocol.LATEST_OFFSET;
            case NONE -> throw Errors.invalid(ErrorCode.INVALID_OFFSET, "no committed offset for " + tp +
                (null == options.groupId() ? " (no group)" : " in group " + options.groupId()) +
                ", no seek, and offset reset NONE");
        };
    }

    private int openSessions()
    {
        int work = 0;
        for (final PartitionFetch partition : partitions)
        {
            if (partition.state == PartitionFetch.State.NEW && !partition.held && !partition.draining)
            {
                work += partition.offerOpen();
            }
        }
        return work;
    }

    private int emit()
    {
        int emitted = 0;
        while (!done && !buffered.isEmpty() && sink.requestedFromDownstream() > 0)
        {
            final Fetched message = buffered.peekFirst();
            final PartitionFetch partition = bySlot.get(message.slot);
            if (message != decoding)
            {
                decoding = message;
                cursor.wrap(message.buffer, 0, message.length, message.fromOffset, message.toOffset);
                cursorOnRecord = false;
            }
            if (!cursorOnRecord)
            {
                if (!cursor.next())
                {
                    // Cannot happen: the count came from the same bytes. End the receive rather than spin on it.
                    end(Errors.of(ErrorCode.CORRUPT_BATCH, "fetched records of " + partition.tp +
                        " ended after " + message.emitted + " of " + message.count, null));
                    return emitted;
                }
                cursorOnRecord = true;
            }
            final long offset = cursor.view().offset();
            if (mode == Mode.AT_MOST_ONCE && !commitOffset(partition, offset + 1))
            {
                break; // before the record leaves the buffer; refused: the membership was lost, the record dropped
            }
            final ReceivedRecord<K, V> record;
            try
            {
                record = partition.decode(cursor.view());
            }
            catch (final SluiceException ex)
            {
                end(ex);
                return emitted;
            }
            cursorOnRecord = false;
            message.lastEmittedOffset = offset;
            message.emitted++;
            heldRecords--;
            final int charge = message.chargeNext();
            partition.bufferedBytes -= charge;
            if (message.emitted == message.count)
            {
                buffered.pollFirst();
                decoding = null;
            }
            if (mode != Mode.AT_MOST_ONCE && null != options.groupId())
            {
                partition.emitted.addLast(record);
            }
            sink.next(record);
            if (mode == Mode.AUTO_ACK)
            {
                record.acknowledge();
            }
            emitted++;
        }
        return emitted;
    }

    private int topUpCredit()
    {
        if (sink.requestedFromDownstream() <= heldRecords)
        {
            return 0;
        }
        int work = 0;
        for (final PartitionFetch partition : partitions)
        {
            final long held = partition.outstandingCredit + partition.bufferedBytes;
            if (partition.state == PartitionFetch.State.OPEN && held <= shareBytes / 2)
            {
                final long grant = shareBytes - held;
                if (partition.connection.offerCredit(partition.sessionId, grant) > 0)
                {
                    partition.outstandingCredit += grant;
                    work++;
                }
            }
        }
        return work;
    }

    private int advanceAcknowledged()
    {
        int work = 0;
        for (final PartitionFetch partition : partitions)
        {
            ReceivedRecord<K, V> head;
            while (null != (head = partition.emitted.peekFirst()) && head.isAcknowledged())
            {
                partition.emitted.pollFirst();
                partition.committable = head.offset() + 1;
                work++;
            }
        }
        return work;
    }

    private int commit()
    {
        if (null == options.groupId() || mode == Mode.AT_MOST_ONCE || (null != membership && !membership.isMember()))
        {
            return 0;
        }
        int work = 0;
        for (final PartitionFetch partition : new ArrayList<>(partitions))
        {
            if (!partition.held && partition.committable > partition.committed)
            {
                if (!commitOffset(partition, partition.committable))
                {
                    break;
                }
                work++;
            }
        }
        return work;
    }

    /**
     * @return true if committed; false if the group refused it because it moved on (the membership is then lost).
     */
    private boolean commitOffset(final PartitionFetch partition, final long offset)
    {
        try
        {
            final ClientConnection coordinator = agent.requireCoordinator();
            if (null == membership)
            {
                coordinator.commitOffset(
                    options.groupId(), partition.topic.topicId(), partition.tp.partition(), offset);
            }
            else
            {
                coordinator.commitOffset(options.groupId(), membership.memberId(), membership.generation(),
                    partition.topic.topicId(), partition.tp.partition(), offset);
            }
            partition.committed = offset;
            LOG.debug("{}: committed {}", partition.tp, offset);
            return true;
        }
        catch (final SluiceClientException ex)
        {
            final ErrorCode code = ex.errorCode();
            if (null != membership && (code == ErrorCode.UNKNOWN_MEMBER || code == ErrorCode.ILLEGAL_GENERATION ||
                code == ErrorCode.NOT_ASSIGNED || code == ErrorCode.REBALANCE_IN_PROGRESS))
            {
                LOG.info("{}: commit of offset {} refused: {}", partition.tp, offset, ex.getMessage());
                membership.onCommitFenced(code);
                return false;
            }
            if (code == ErrorCode.NOT_COORDINATOR)
            {
                agent.coordinatorMoved(partition.tp + ": commit refused, the group coordinator moved (" +
                    ex.getMessage() + ")");
                return false; // committed again at the new coordinator once this consumer is a member there
            }
            if (code == ErrorCode.REQUEST_TIMED_OUT || code == ErrorCode.NOT_ENOUGH_REPLICAS)
            {
                // The coordinator's offsets topic is short of in-sync replicas: not stored now, tried again later.
                throw Errors.connection(partition.tp + ": commit of offset " + offset + " not stored: " +
                    ex.getMessage());
            }
            throw Errors.of(ex);
        }
    }

    private void closeSessions()
    {
        if (agent.state() != ClientAgent.State.CONNECTED)
        {
            return; // the sessions went with the connection
        }
        for (final PartitionFetch partition : partitions)
        {
            agent.unregisterFetch(partition.sessionId);
            if (partition.state != PartitionFetch.State.NEW && partition.connection.isConnected())
            {
                partition.connection.offerFetchClose(partition.sessionId);
            }
        }
    }

    /**
     * One partition's fetch session and the flow's accounts of it.
     */
    final class PartitionFetch implements ClientAgent.FetchHandler
    {
        enum State
        {
            NEW, OPENING, OPEN
        }

        final int slot;
        final TopicPartition tp;
        TopicMetadata topic;
        final ArrayDeque<ReceivedRecord<K, V>> emitted = new ArrayDeque<>();
        State state = State.NEW;
        /** The connection to the partition's leader that the session is open on, once it is opening. */
        ClientConnection connection;
        long sessionId;
        long startOffset;
        long outstandingCredit;
        long bufferedBytes;
        long committable = -1;
        long committed = -1;
        /** The next offset to receive: where a session reopened after a reconnection starts; -1 until known. */
        long position = -1;
        /** Being given up: not fetching, its emitted records awaited until {@link #revokeDeadlineNs}. */
        boolean draining;
        long revokeDeadlineNs;
        /** Its group membership was lost: not fetching until the next assignment says whether it stays. */
        boolean held;

        PartitionFetch(final int slot, final TopicPartition tp, final TopicMetadata topic, final long startOffset)
        {
            this.slot = slot;
            this.tp = tp;
            this.topic = topic;
            this.startOffset = startOffset;
        }

        int offerOpen()
        {
            final ClientConnection leader = agent.leaderConnection(topic, tp.partition());
            if (null == leader)
            {
                return 0; // the agent refreshes its metadata and reconnects; this opens again after that
            }
            final long newSessionId = agent.nextSessionId();
            final long result = leader.offerFetch(agent.nextCorrelationId(), newSessionId,
                topic.topicId(), tp.partition(), startOffset, CreditMode.BYTES, 0);
            if (result > 0)
            {
                connection = leader;
                sessionId = newSessionId;
                outstandingCredit = 0;
                state = State.OPENING;
                agent.registerFetch(sessionId, this);
                return 1;
            }
            return 0;
        }

        public void onFetchStatus(final ErrorCode errorCode, final long nextOffset, final String errorMessage)
        {
            if (done)
            {
                return;
            }
            if (errorCode == ErrorCode.NONE)
            {
                state = State.OPEN;
                if (position < 0)
                {
                    position = nextOffset; // EARLIEST or LATEST resolved: a reopened session starts here
                }
                return;
            }
            agent.unregisterFetch(sessionId);
            if (agent.isLeaderChange(connection, errorCode))
            {
                // The broker no longer leads the partition (or ended the session as it lost leadership): reopen
                // where this partition got to, on the leader the refresh finds.
                state = State.NEW;
                outstandingCredit = 0;
                if (position >= 0)
                {
                    startOffset = position;
                }
                agent.requestRefresh("fetch from " + tp + ": " + errorCode +
                    (errorMessage.isEmpty() ? "" : " (" + errorMessage + ")"));
                return;
            }
            if (errorCode == ErrorCode.OFFSET_OUT_OF_RANGE && options.offsetReset() != OffsetReset.NONE)
            {
                LOG.info("{}: offset {} out of range, resetting to {}", tp, startOffset, options.offsetReset());
                startOffset = resetOffset(tp);
                state = State.NEW;
                return;
            }
            end(Errors.of(errorCode, "fetching " + tp + " failed: " + errorCode +
                (errorMessage.isEmpty() ? "" : " (" + errorMessage + ")"), null));
        }

        public void onFetchData(
            final long fromOffset, final long toOffset, final DirectBuffer buffer, final int offset, final int length)
        {
            if (done)
            {
                return;
            }
            outstandingCredit -= length;
            // Kept as bytes, decoded as emitted: what waits for the subscriber costs its size on the wire, not a
            // few objects per record that would live through young collections.
            final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
            copy.putBytes(0, buffer, offset, length);
            countedRecords = 0;
            try
            {
                fetchedRecords.forEach(copy, 0, length, fromOffset, toOffset, counter);
            }
            catch (final SluiceClientException ex)
            {
                end(Errors.of(ex));
                return;
            }
            final int count = countedRecords;
            if (0 == count)
            {
                return;
            }
            position = lastCountedOffset + 1;
            bufferedBytes += length;
            heldRecords += count;
            buffered.addLast(new Fetched(slot, copy, length, fromOffset, toOffset, count, firstCountedOffset));
        }

        void onDisconnected()
        {
            // The session is gone with the connection; reopen where this partition got to (or started).
            state = State.NEW;
            outstandingCredit = 0;
            if (position >= 0)
            {
                startOffset = position;
            }
        }

        /**
         * The record the view is on, deserialized.
         *
         * @throws SluiceException if a deserializer throws.
         */
        ReceivedRecord<K, V> decode(final RecordBatchView view)
        {
            final K key;
            final V value;
            try
            {
                key = options.keyDeserializer().deserialize(tp.topic(), view.isKeyNull() ? null : bytes(view.key()));
                value = options.valueDeserializer().deserialize(
                    tp.topic(), view.isValueNull() ? null : bytes(view.value()));
            }
            catch (final RuntimeException ex)
            {
                throw Errors.serialization("cannot deserialize the record at " + tp + "@" + view.offset() + ": " +
                    ex.getMessage(), ex);
            }
            return new ReceivedRecord<>(tp.topic(), tp.partition(), view.offset(), view.timestamp(),
                key, value, headers(view), slot);
        }

        private java.util.List<io.sluice.client.Header> headers(final RecordBatchView view)
        {
            if (0 == view.headerCount())
            {
                return java.util.List.of();
            }
            final java.util.List<io.sluice.client.Header> headers = new java.util.ArrayList<>(view.headerCount());
            while (view.nextHeader())
            {
                headers.add(new io.sluice.client.Header(headerKeys.decode(view.headerKey()), bytes(view.headerValue())));
            }
            return headers;
        }

        private byte[] bytes(final DirectBuffer data)
        {
            final byte[] bytes = new byte[data.capacity()];
            data.getBytes(0, bytes);
            return bytes;
        }
    }

    private void count(final RecordBatchView view)
    {
        final long offset = view.offset();
        if (0 == countedRecords++)
        {
            firstCountedOffset = offset;
        }
        lastCountedOffset = offset;
    }

    /**
     * One fetch data message of a partition as received (a copy), and how far it has been emitted.
     */
    private static final class Fetched
    {
        final int slot;
        final UnsafeBuffer buffer;
        final int length;
        final long fromOffset;
        final long toOffset;
        /** Records it delivers. */
        final int count;
        final long firstOffset;
        /** Records emitted so far. */
        int emitted;
        long lastEmittedOffset = -1;
        /** Credit bytes released so far: each record releases {@code length / count}, the last the remainder. */
        int chargedBytes;

        Fetched(final int slot, final UnsafeBuffer buffer, final int length, final long fromOffset,
            final long toOffset, final int count, final long firstOffset)
        {
            this.slot = slot;
            this.buffer = buffer;
            this.length = length;
            this.fromOffset = fromOffset;
            this.toOffset = toOffset;
            this.count = count;
            this.firstOffset = firstOffset;
        }

        /** Where reading resumes if what is left of it is dropped. */
        long nextOffset()
        {
            return emitted > 0 ? lastEmittedOffset + 1 : firstOffset;
        }

        /** The credit bytes the record now emitted releases; all of them add up to the message's length. */
        int chargeNext()
        {
            final int each = length / count;
            final int charge = emitted == count ? length - each * (count - 1) : each;
            chargedBytes += charge;
            return charge;
        }
    }
}
