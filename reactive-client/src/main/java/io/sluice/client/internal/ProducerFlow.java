package io.sluice.client.internal;

import io.aeron.Publication;
import io.sluice.client.Acks;
import io.sluice.client.CompressionType;
import io.sluice.client.ProducerOptions;
import io.sluice.client.ProducerRecord;
import io.sluice.client.SendResult;
import io.sluice.client.SluiceException;
import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.log.Compression;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.transport.ClientConnection;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.ManyToOneConcurrentArrayQueue;
import org.agrona.concurrent.UnsafeBuffer;
import org.reactivestreams.Subscription;
import reactor.core.Exceptions;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.FluxSink;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;

/**
 * One subscription of {@code send}: takes records from the upstream (on its threads: serialization only), sends them
 * in batches over the connection and emits their results (on the agent thread).
 * <p>
 * Demand: the upstream is asked for {@code maxInFlight} records at first and for one more each time a result is
 * emitted, so records taken and not yet emitted never exceed {@code maxInFlight}, whatever the broker or the
 * downstream do. Everything but the {@code hookOn*} methods runs on the agent thread.
 *
 * @param <K> key type.
 * @param <V> value type.
 * @param <T> correlation metadata type.
 */
final class ProducerFlow<K, V, T> extends BaseSubscriber<ProducerRecord<K, V, T>> implements ClientAgent.Flow
{
    /** Bytes a record adds to a batch beyond its key and value, about: its fixed block and length fields. */
    static final int RECORD_OVERHEAD = 24;
    /**
     * With idempotence, the most batches of one partition in flight at once: the broker remembers a producer's last
     * {@code ProducerStates.BATCHES_KEPT} (5) batches per partition, so a batch resent after a lost connection or a
     * leader change is recognised as a duplicate only if it is among them. Kafka's producer has the same limit
     * ({@code max.in.flight.requests.per.connection} at most 5 with idempotence).
     */
    static final int MAX_IN_FLIGHT_BATCHES_PER_PARTITION = 5;
    /** Header keys {@link #headerKeyBytes} remembers before it starts again. */
    private static final int HEADER_KEY_CACHE_SIZE = 64;

    private final ClientAgent agent;
    private final ProducerOptions<K, V> options;
    private final Partitioner partitioner;
    private final ProducerIdentity identity;
    private final FluxSink<SendResult<T>> sink;
    private final io.sluice.codecs.client.Acks acks;
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    /** Wrap a record's parts while it is encoded with headers; the client's thread. */
    private final UnsafeBuffer headerKey = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer headerValue = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer keyWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueWrapper = new UnsafeBuffer(0, 0);
    private final Long2ObjectHashMap<PartitionQueue<T>> queues = new Long2ObjectHashMap<>();
    /** Batches sent and not yet answered, in send order: resent, as they were, after a reconnection. */
    private final ArrayDeque<Batch<T>> inFlight = new ArrayDeque<>();
    /** Records whose topic look-up lost the connection, in arrival order; resolved before any newer record. */
    private final ArrayDeque<Pending<T>> unresolved = new ArrayDeque<>();
    private final ArrayDeque<SendResult<T>> results = new ArrayDeque<>();
    /** Header keys in UTF-8 by key; read and written by {@code hookOnNext} only (serial, as the upstream signals). */
    private final HashMap<String, byte[]> headerKeyCache = new HashMap<>();
    /**
     * Records taken from the upstream, for the agent thread: a bounded queue, not a command each (a lambda and a
     * queue node per record). The demand rule keeps at most {@code maxInFlight} records in it.
     */
    private final ManyToOneConcurrentArrayQueue<Pending<T>> arrivals;
    private final long lingerNs;
    private UnsafeBuffer batchBuffer;
    private long outstanding;
    private boolean upstreamDone;
    private boolean done;

    ProducerFlow(
        final ClientAgent agent,
        final ProducerOptions<K, V> options,
        final Partitioner partitioner,
        final ProducerIdentity identity,
        final FluxSink<SendResult<T>> sink)
    {
        this.agent = agent;
        this.options = options;
        this.partitioner = partitioner;
        this.identity = identity;
        this.sink = sink;
        this.lingerNs = options.linger().toNanos();
        this.arrivals = new ManyToOneConcurrentArrayQueue<>(options.maxInFlight());
        builder.compression(options.compression() == CompressionType.LZ4 ? Compression.LZ4 : Compression.NONE);
        this.acks = switch (options.acks())
        {
            case NONE -> io.sluice.codecs.client.Acks.NONE;
            case LEADER -> io.sluice.codecs.client.Acks.LEADER;
            case ALL -> io.sluice.codecs.client.Acks.ALL;
        };
    }

    protected void hookOnSubscribe(final Subscription subscription)
    {
        agent.execute(() -> agent.add(this));
        subscription.request(options.maxInFlight());
    }

    protected void hookOnNext(final ProducerRecord<K, V, T> record)
    {
        final Pending<T> item = new Pending<>(record);
        try
        {
            item.key = options.keySerializer().serialize(record.topic(), record.key());
            item.value = options.valueSerializer().serialize(record.topic(), record.value());
            item.size = length(item.key) + length(item.value) + RECORD_OVERHEAD;
            final java.util.List<io.sluice.client.Header> headers = record.headers();
            if (!headers.isEmpty())
            {
                // Encoded once here, on the caller's thread, not at every (re)send on the client's.
                item.headerKeys = new byte[headers.size()][];
                for (int i = 0; i < headers.size(); i++)
                {
                    item.headerKeys[i] = headerKeyBytes(headers.get(i).key());
                    item.size += item.headerKeys[i].length + headers.get(i).value().length + 8;
                }
            }
        }
        catch (final RuntimeException ex)
        {
            item.size = 0;
            item.error = Errors.serialization("cannot serialize a record for topic " + record.topic() + ": " + ex, ex);
        }
        if (!arrivals.offer(item))
        {
            cancel();
            final Throwable overflow = Exceptions.failWithOverflow(
                "the upstream sent more records than the " + options.maxInFlight() + " requested");
            agent.execute(() -> end(overflow));
        }
    }

    /**
     * A header key in UTF-8, from a small cache: a few keys usually recur on every record. The upstream's thread.
     */
    private byte[] headerKeyBytes(final String key)
    {
        byte[] bytes = headerKeyCache.get(key);
        if (null == bytes)
        {
            if (headerKeyCache.size() >= HEADER_KEY_CACHE_SIZE)
            {
                headerKeyCache.clear();
            }
            bytes = key.getBytes(StandardCharsets.UTF_8);
            headerKeyCache.put(key, bytes);
        }
        return bytes;
    }

    protected void hookOnComplete()
    {
        agent.execute(() -> upstreamDone = true);
    }

    protected void hookOnError(final Throwable throwable)
    {
        agent.execute(() -> end(throwable));
    }

    void onDownstreamCancel()
    {
        agent.execute(() ->
        {
            if (!done)
            {
                done = true;
                cancel();
                agent.remove(this);
            }
        });
    }

    public int doWork(final long nowNs)
    {
        if (done)
        {
            return 0;
        }
        int work = 0;
        Pending<T> arrived;
        while (!done && null != (arrived = arrivals.poll()))
        {
            onRecord(arrived);
            work++;
        }
        while (!unresolved.isEmpty() && !done)
        {
            if (!resolve(unresolved.pollFirst()))
            {
                return work; // the connection is going; the agent reconnects
            }
            work++;
        }
        work += sendPending(nowNs);
        work += emitResults();
        if (upstreamDone && 0 == outstanding && !done)
        {
            done = true;
            agent.remove(this);
            sink.complete();
            work++;
        }
        return work;
    }

    public void fail(final SluiceException error)
    {
        end(error);
    }

    private void end(final Throwable error)
    {
        if (!done)
        {
            done = true;
            cancel();
            agent.remove(this);
            sink.error(error);
        }
    }

    private void onRecord(final Pending<T> item)
    {
        if (done)
        {
            return;
        }
        outstanding++;
        if (!unresolved.isEmpty())
        {
            unresolved.addLast(item); // behind the records that wait for the connection, to keep their order
            return;
        }
        resolve(item);
    }

    /**
     * Look up the record's topic and partition and queue it; keep it for later if the look-up lost the connection.
     *
     * @return false if it must wait for the connection.
     */
    private boolean resolve(final Pending<T> item)
    {
        if (null != item.error)
        {
            failed(item, item.error);
            return true;
        }
        final String topic = item.record.topic();
        try
        {
            item.topic = agent.topic(topic);
        }
        catch (final SluiceException ex)
        {
            if (ex.kind() == SluiceException.Kind.CONNECTION)
            {
                unresolved.addFirst(item);
                return false;
            }
            failed(item, ex);
            return true;
        }
        final Integer named = item.record.partition();
        if (null != named)
        {
            if (named >= item.topic.partitions())
            {
                failed(item, Errors.invalid(ErrorCode.UNKNOWN_PARTITION,
                    "topic " + topic + " has " + item.topic.partitions() + " partitions, not partition " + named));
                return true;
            }
            item.partition = named;
        }
        else
        {
            item.partition = partitioner.partition(topic, item.key, item.topic.partitions());
        }
        item.timestamp = null == item.record.timestamp() ? System.currentTimeMillis() : item.record.timestamp();
        item.arrivalNs = System.nanoTime();
        final long queueKey = queueKey(item.topic.topicId(), item.partition);
        PartitionQueue<T> queue = queues.get(queueKey);
        if (null == queue || queue.topic.topicId() != item.topic.topicId())
        {
            queue = new PartitionQueue<>(item.topic, item.partition);
            queues.put(queueKey, queue);
        }
        queue.add(item);
        return true;
    }

    private int sendPending(final long nowNs)
    {
        final ClientConnection connection = agent.connection();
        final int maxLength = connection.maxProduceBatchLength();
        if (null == batchBuffer || batchBuffer.capacity() < maxLength)
        {
            batchBuffer = new UnsafeBuffer(new byte[maxLength]);
        }
        final int batchBytes = Math.min(options.maxBatchBytes(), maxLength);
        int sent = 0;
        for (final PartitionQueue<T> queue : queues.values())
        {
            if (queue.retries.isEmpty() && queue.records.isEmpty())
            {
                continue;
            }
            final ClientConnection leader = agent.leaderConnection(queue.topic, queue.partition);
            if (null == leader)
            {
                return sent; // the agent refreshes its metadata and reconnects: everything waits for that
            }
            while (!queue.retries.isEmpty() && !done)
            {
                final long result = resend(leader, queue.retries.peekFirst(), maxLength);
                if (result > 0)
                {
                    queue.retries.pollFirst();
                    sent++;
                }
                else if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
                {
                    return sent;
                }
                else
                {
                    return sent; // the connection went: the agent notices and reconnects
                }
            }
            while (!queue.records.isEmpty() && !done)
            {
                if (lingerNs > 0 && !upstreamDone && queue.bytes < batchBytes &&
                    nowNs - queue.records.peekFirst().arrivalNs < lingerNs)
                {
                    break; // wait for the batch to fill or the oldest record's linger to end
                }
                if (null != identity && queue.inFlight >= MAX_IN_FLIGHT_BATCHES_PER_PARTITION)
                {
                    break; // records wait, and batch up, until an answer comes
                }
                final Pending<T> head = queue.records.peekFirst();
                // The topic's max.message.bytes is checked here, on the uncompressed batch, so that a batch the
                // broker would refuse never takes a sequence number.
                final int largest = Math.min(maxLength, queue.topic.maxMessageBytes());
                int count = collect(queue, Math.min(batchBytes, largest), Integer.MAX_VALUE);
                if (0 == count)
                {
                    count = collect(queue, largest, 1); // a record larger than maxBatchBytes goes alone
                }
                if (0 == count)
                {
                    queue.remove();
                    failed(head, Errors.invalid(ErrorCode.RECORD_TOO_LARGE, "a record of about " + head.size +
                        " bytes does not fit in a batch of " + queue.topic.name() + " (max.message.bytes " +
                        queue.topic.maxMessageBytes() + ", a request " + maxLength + ")"));
                    continue;
                }
                final long result = send(leader, queue, count);
                if (result > 0)
                {
                    sent++;
                }
                else if (result == Publication.BACK_PRESSURED || result == Publication.ADMIN_ACTION)
                {
                    return sent;
                }
                else
                {
                    return sent; // the connection went: the agent notices and reconnects
                }
            }
        }
        return sent;
    }

    /**
     * Send a batch again exactly as before (same records, producer epoch and sequence), so that the broker drops it
     * if the first attempt was appended.
     */
    private long resend(final ClientConnection connection, final Batch<T> batch, final int maxLength)
    {
        builder.wrap(batchBuffer, 0, maxLength);
        for (final Pending<T> item : batch.records)
        {
            if (!append(item))
            {
                throw new IllegalStateException("a batch that was sent no longer fits a request");
            }
        }
        if (batch.sequenced)
        {
            builder.producer(batch.producerId, batch.epoch, batch.baseSequence);
        }
        final long correlationId = agent.nextCorrelationId();
        final long result = buildAndOffer(connection, batch.queue, correlationId);
        if (result > 0)
        {
            expect(connection, correlationId, batch);
        }
        return result;
    }

    /**
     * Complete the batch in the builder and offer it to the queue's partition.
     */
    private long buildAndOffer(
        final ClientConnection connection, final PartitionQueue<T> queue, final long correlationId)
    {
        final int length = builder.build();
        return connection.offerProduce(
            correlationId, queue.topic.topicId(), queue.partition, acks, batchBuffer, 0, length);
    }

    private void expect(final ClientConnection connection, final long correlationId, final Batch<T> batch)
    {
        inFlight.addLast(batch);
        batch.queue.inFlight++;
        agent.expectProduceResponse(correlationId, (errorCode, baseOffset, message) ->
        {
            if (agent.isLeaderChange(connection, errorCode))
            {
                // Still in flight: once the agent has found the partition's leader, it is resent as it was, in
                // order with its partition's other batches, and a leader that already has it answers with its offset.
                agent.requestRefresh("produce to " + batch.queue.topic.name() + "-" + batch.queue.partition + ": " +
                    errorCode + (message.isEmpty() ? "" : " (" + message + ")"));
                return;
            }
            inFlight.remove(batch);
            batch.queue.inFlight--;
            onResponse(batch.records, errorCode, baseOffset, message);
        });
    }

    public void onDisconnected()
    {
        // Back to the front of their queues, in the order they were sent, to go before anything newer.
        while (!inFlight.isEmpty())
        {
            final Batch<T> batch = inFlight.pollLast();
            batch.queue.inFlight--;
            batch.queue.retries.addFirst(batch);
        }
    }

    public void onReconnected()
    {
        final List<PartitionQueue<T>> all = new ArrayList<>(queues.values());
        queues.clear();
        for (final PartitionQueue<T> queue : all)
        {
            try
            {
                queue.topic = agent.topic(queue.topic.name()); // a restarted broker gave it a new id
            }
            catch (final SluiceException ex)
            {
                end(ex);
                return;
            }
            queues.put(queueKey(queue.topic.topicId(), queue.partition), queue);
        }
    }

    private static long queueKey(final int topicId, final int partition)
    {
        return ((long)topicId << 32) | partition;
    }

    private long send(final ClientConnection connection, final PartitionQueue<T> queue, final int count)
    {
        final int baseSequence = null == identity ? -1 : identity.nextSequence(queue.topic.name(), queue.partition);
        if (null != identity)
        {
            builder.producer(identity.producerId(), identity.epoch(), baseSequence);
        }
        final long correlationId = agent.nextCorrelationId();
        final long result = buildAndOffer(connection, queue, correlationId);
        if (result > 0)
        {
            final List<Pending<T>> batch = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                batch.add(queue.remove());
            }
            final Batch<T> sentBatch = null == identity ?
                new Batch<>(queue, batch, false, -1, (short)-1, -1) :
                new Batch<>(queue, batch, true, identity.producerId(), identity.epoch(), baseSequence);
            if (null != identity)
            {
                identity.advance(queue.topic.name(), queue.partition, count);
            }
            partitioner.onRequestSent(queue.topic.name(), queue.topic.partitions());
            if (options.acks() == Acks.NONE)
            {
                for (final Pending<T> item : batch)
                {
                    results.addLast(new SendResult<>(item.topic.name(), item.partition, -1,
                        item.record.correlationMetadata(), null));
                }
            }
            else
            {
                expect(connection, correlationId, sentBatch);
            }
        }
        return result;
    }

    /**
     * Append a record to the batch being built, with its headers if it has any.
     *
     * @return false if it does not fit.
     */
    private boolean append(final Pending<T> item)
    {
        if (null == item.headerKeys)
        {
            return builder.append(item.timestamp, item.key, item.value);
        }
        if (!builder.beginRecord(item.timestamp))
        {
            return false;
        }
        final java.util.List<io.sluice.client.Header> headers = item.record.headers();
        for (int i = 0; i < headers.size(); i++)
        {
            headerKey.wrap(item.headerKeys[i]);
            headerValue.wrap(headers.get(i).value());
            if (!builder.header(headerKey, 0, headerKey.capacity(), headerValue, 0, headerValue.capacity()))
            {
                return false;
            }
        }
        if (null != item.key)
        {
            keyWrapper.wrap(item.key);
        }
        if (null != item.value)
        {
            valueWrapper.wrap(item.value);
        }
        return builder.endRecord(null == item.key ? null : keyWrapper, 0, null == item.key ? 0 : item.key.length,
            null == item.value ? null : valueWrapper, 0, null == item.value ? 0 : item.value.length);
    }

    private int collect(final PartitionQueue<T> queue, final int capacity, final int maxRecords)
    {
        builder.wrap(batchBuffer, 0, capacity);
        int count = 0;
        final Iterator<Pending<T>> it = queue.records.iterator();
        while (count < maxRecords && it.hasNext())
        {
            final Pending<T> item = it.next();
            if (!builder.fitsTimestamp(item.timestamp) || !append(item))
            {
                break; // no room, or a timestamp too far from the batch's first: the next batch takes it
            }
            count++;
        }
        return count;
    }

    private void onResponse(
        final List<Pending<T>> batch, final ErrorCode errorCode, final long baseOffset, final String message)
    {
        if (done)
        {
            return;
        }
        if (errorCode == ErrorCode.NONE)
        {
            for (int i = 0; i < batch.size(); i++)
            {
                final Pending<T> item = batch.get(i);
                results.addLast(new SendResult<>(item.topic.name(), item.partition, baseOffset + i,
                    item.record.correlationMetadata(), null));
            }
            return;
        }
        if (errorCode == ErrorCode.UNKNOWN_TOPIC || errorCode == ErrorCode.TOPIC_DELETED)
        {
            agent.forgetTopic(batch.get(0).topic.name());
        }
        if (null != identity)
        {
            identity.bumpEpoch();
        }
        final Pending<T> first = batch.get(0);
        final SluiceException error = Errors.of(errorCode, "cannot send " + batch.size() + " record(s) to " +
            first.topic.name() + "-" + first.partition + ": " + errorCode +
            (message.isEmpty() ? "" : " (" + message + ")"), null);
        for (final Pending<T> item : batch)
        {
            failed(item, error);
        }
    }

    private void failed(final Pending<T> item, final SluiceException error)
    {
        if (options.stopOnError())
        {
            end(error);
            return;
        }
        results.addLast(new SendResult<>(item.record.topic(), item.partition, -1,
            item.record.correlationMetadata(), error));
    }

    private int emitResults()
    {
        int emitted = 0;
        while (!done && !results.isEmpty() && sink.requestedFromDownstream() > 0)
        {
            sink.next(results.pollFirst());
            outstanding--;
            emitted++;
            if (!upstreamDone)
            {
                request(1);
            }
        }
        return emitted;
    }

    /**
     * The records waiting for one partition, in arrival order, with their bytes (an estimate: key, value and
     * {@link #RECORD_OVERHEAD} each), which decide when a lingering batch is full.
     */
    static final class PartitionQueue<T>
    {
        TopicMetadata topic;
        final int partition;
        final ArrayDeque<Pending<T>> records = new ArrayDeque<>();
        /** Batches to send again, as they were, before any record of {@link #records}. */
        final ArrayDeque<Batch<T>> retries = new ArrayDeque<>();
        /** Batches of this partition sent and not yet answered. */
        int inFlight;
        int bytes;

        PartitionQueue(final TopicMetadata topic, final int partition)
        {
            this.topic = topic;
            this.partition = partition;
        }

        void add(final Pending<T> item)
        {
            records.addLast(item);
            bytes += item.size;
        }

        Pending<T> remove()
        {
            final Pending<T> item = records.pollFirst();
            bytes -= item.size;
            return item;
        }
    }

    /**
     * A batch as sent: its records and, for an idempotent producer, the identity and sequence it was sent with.
     */
    static final class Batch<T>
    {
        final PartitionQueue<T> queue;
        final List<Pending<T>> records;
        final boolean sequenced;
        final long producerId;
        final short epoch;
        final int baseSequence;

        Batch(
            final PartitionQueue<T> queue,
            final List<Pending<T>> records,
            final boolean sequenced,
            final long producerId,
            final short epoch,
            final int baseSequence)
        {
            this.queue = queue;
            this.records = records;
            this.sequenced = sequenced;
            this.producerId = producerId;
            this.epoch = epoch;
            this.baseSequence = baseSequence;
        }
    }

    private static int length(final byte[] bytes)
    {
        return null == bytes ? 0 : bytes.length;
    }

    /**
     * A record taken from upstream, serialized, waiting to be sent or acknowledged.
     */
    static final class Pending<T>
    {
        final ProducerRecord<?, ?, T> record;
        byte[] key;
        byte[] value;
        /** Header keys in UTF-8, in order; null when the record has no headers. */
        byte[][] headerKeys;
        SluiceException error;
        TopicMetadata topic;
        int partition = -1;
        long timestamp;
        long arrivalNs;
        int size;

        Pending(final ProducerRecord<?, ?, T> record)
        {
            this.record = record;
        }
    }
}
