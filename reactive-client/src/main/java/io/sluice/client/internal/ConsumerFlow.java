package io.sluice.client.internal;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.FluxSink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One subscription of a {@code receive} Flux: a fetch session per partition, credit in bytes granted while the
 * subscriber wants more records than the flow holds, records emitted within demand, acknowledged offsets committed
 * in order. Runs on the agent thread, apart from what the subscriber does with the records.
 * <p>
 * Memory bound: for each of its {@code n} partitions the flow keeps the bytes it holds (received, not yet emitted)
 * plus the credit it granted and has not received within {@code maxBufferedBytes / n}; credit is topped up to that
 * share when it falls to half of it, and only while demand is unmet.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
final class ConsumerFlow<K, V> implements ClientAgent.Flow
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
    private final ArrayDeque<ReceivedRecord<K, V>> buffered = new ArrayDeque<>();
    private final FetchedRecords fetchedRecords = new FetchedRecords();
    private final List<ReceivedRecord<K, V>> batchRecords = new ArrayList<>();
    private final long commitIntervalNs;
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
    }

    /**
     * Resolve the partitions and where each starts, and open their fetch sessions. On the agent thread.
     */
    void start()
    {
        try
        {
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
            partitions.add(new PartitionFetch(partitions.size(), tp, topic, startOffset(tp, topic)));
        }
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
            int work = 0;
            if (null != options.topicPattern() && nowNs - patternCheckNs >= 0)
            {
                patternCheckNs = nowNs + PATTERN_REFRESH_NS;
                final List<TopicPartition> added = newlyMatching();
                addPartitions(added);
                work += added.size();
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
            sink.error(error);
        }
    }

    private long startOffset(final TopicPartition tp, final TopicMetadata metadata)
    {
        final Long seek = options.seeks().get(tp);
        if (null != seek)
        {
            if (ConsumerOptions.isTimestampSeek(seek))
            {
                final long offset = agent.connection().offsetForTimestamp(
                    metadata.topicId(), tp.partition(), ConsumerOptions.seekTimestamp(seek));
                return offset < 0 ? ClientProtocol.LATEST_OFFSET : offset;
            }
            return seek == ConsumerOptions.BEGINNING ? ClientProtocol.EARLIEST_OFFSET :
                seek == ConsumerOptions.END ? ClientProtocol.LATEST_OFFSET : seek;
        }
        if (null != options.groupId())
        {
            final long committed = agent.connection().committedOffset(
                options.groupId(), metadata.topicId(), tp.partition());
            if (committed >= 0)
            {
                return committed;
            }
        }
        return resetOffset(tp);
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
            if (partition.state == PartitionFetch.State.NEW)
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
            final ReceivedRecord<K, V> record = buffered.peekFirst();
            final PartitionFetch partition = partitions.get(record.slot);
            if (mode == Mode.AT_MOST_ONCE)
            {
                commitOffset(partition, record.offset() + 1); // before the record leaves the buffer
            }
            buffered.pollFirst();
            partition.bufferedBytes -= record.chargedBytes;
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
        if (sink.requestedFromDownstream() <= buffered.size())
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
                if (agent.connection().offerCredit(partition.sessionId, grant) > 0)
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
        if (null == options.groupId() || mode == Mode.AT_MOST_ONCE)
        {
            return 0;
        }
        int work = 0;
        for (final PartitionFetch partition : partitions)
        {
            if (partition.committable > partition.committed)
            {
                commitOffset(partition, partition.committable);
                work++;
            }
        }
        return work;
    }

    private void commitOffset(final PartitionFetch partition, final long offset)
    {
        try
        {
            agent.connection().commitOffset(
                options.groupId(), partition.topic.topicId(), partition.tp.partition(), offset);
            partition.committed = offset;
        }
        catch (final SluiceClientException ex)
        {
            throw Errors.of(ex);
        }
    }

    private void closeSessions()
    {
        if (agent.state() != ClientAgent.State.CONNECTED)
        {
            return; // the sessions went with the connection
        }
        final ClientConnection connection = agent.connection();
        for (final PartitionFetch partition : partitions)
        {
            agent.unregisterFetch(partition.sessionId);
            if (partition.state != PartitionFetch.State.NEW && connection.isConnected())
            {
                connection.offerFetchClose(partition.sessionId);
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
        long sessionId;
        long startOffset;
        long outstandingCredit;
        long bufferedBytes;
        long committable = -1;
        long committed = -1;
        /** The next offset to receive: where a session reopened after a reconnection starts; -1 until known. */
        long position = -1;

        PartitionFetch(final int slot, final TopicPartition tp, final TopicMetadata topic, final long startOffset)
        {
            this.slot = slot;
            this.tp = tp;
            this.topic = topic;
            this.startOffset = startOffset;
        }

        int offerOpen()
        {
            final long newSessionId = agent.nextSessionId();
            final long result = agent.connection().offerFetch(agent.nextCorrelationId(), newSessionId,
                topic.topicId(), tp.partition(), startOffset, CreditMode.BYTES, 0);
            if (result > 0)
            {
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
            batchRecords.clear();
            try
            {
                fetchedRecords.forEach(buffer, offset, length, fromOffset, toOffset, this::onRecord);
            }
            catch (final SluiceClientException ex)
            {
                end(Errors.of(ex));
                return;
            }
            catch (final SluiceException ex)
            {
                end(ex);
                return;
            }
            final int count = batchRecords.size();
            if (0 == count)
            {
                return;
            }
            position = batchRecords.get(count - 1).offset() + 1;
            bufferedBytes += length;
            // Charges add up to the message's length, so emitting every record releases exactly what arrived.
            final int each = length / count;
            for (int i = 0; i < count; i++)
            {
                final ReceivedRecord<K, V> record = batchRecords.get(i);
                record.chargedBytes = i == count - 1 ? length - each * (count - 1) : each;
                buffered.addLast(record);
            }
            batchRecords.clear();
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

        private void onRecord(final RecordBatchView view)
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
            batchRecords.add(new ReceivedRecord<>(tp.topic(), tp.partition(), view.offset(), view.timestamp(),
                key, value, slot));
        }

        private byte[] bytes(final DirectBuffer data)
        {
            final byte[] bytes = new byte[data.capacity()];
            data.getBytes(0, bytes);
            return bytes;
        }
    }
}
