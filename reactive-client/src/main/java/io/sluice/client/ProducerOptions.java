package io.sluice.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link SluiceProducer} sends. Immutable: each {@code withXxx} returns a copy.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class ProducerOptions<K, V>
{
    /** Default of {@link #maxInFlight()}. */
    public static final int MAX_IN_FLIGHT_DEFAULT = 1024;
    /** Default of {@link #maxBatchBytes()}. */
    public static final int MAX_BATCH_BYTES_DEFAULT = 16 * 1024;

    private final Serializer<K> keySerializer;
    private final Serializer<V> valueSerializer;
    private final Acks acks;
    private final int maxInFlight;
    private final int maxBatchBytes;
    private final Partitioning partitioning;
    private final boolean stopOnError;
    private final Duration linger;
    private final CompressionType compression;
    private final boolean idempotence;

    private ProducerOptions(
        final Serializer<K> keySerializer,
        final Serializer<V> valueSerializer,
        final Acks acks,
        final int maxInFlight,
        final int maxBatchBytes,
        final Partitioning partitioning,
        final boolean stopOnError,
        final Duration linger,
        final CompressionType compression,
        final boolean idempotence)
    {
        this.keySerializer = Objects.requireNonNull(keySerializer, "keySerializer");
        this.valueSerializer = Objects.requireNonNull(valueSerializer, "valueSerializer");
        this.acks = Objects.requireNonNull(acks, "acks");
        if (maxInFlight < 1)
        {
            throw new IllegalArgumentException("maxInFlight must be at least 1: " + maxInFlight);
        }
        if (maxBatchBytes < 1024)
        {
            throw new IllegalArgumentException("maxBatchBytes must be at least 1024: " + maxBatchBytes);
        }
        this.maxInFlight = maxInFlight;
        this.maxBatchBytes = maxBatchBytes;
        this.partitioning = Objects.requireNonNull(partitioning, "partitioning");
        this.stopOnError = stopOnError;
        this.linger = Objects.requireNonNull(linger, "linger");
        this.compression = Objects.requireNonNull(compression, "compression");
        this.idempotence = idempotence;
        if (linger.isNegative())
        {
            throw new IllegalArgumentException("linger must not be negative: " + linger);
        }
    }

    /**
     * @param keySerializer   of keys.
     * @param valueSerializer of values.
     * @param <K>             key type.
     * @param <V>             value type.
     * @return options with {@code acks=1}, {@value #MAX_IN_FLIGHT_DEFAULT} records in flight, sticky partitioning,
     *         stop on error.
     */
    public static <K, V> ProducerOptions<K, V> create(
        final Serializer<K> keySerializer, final Serializer<V> valueSerializer)
    {
        return new ProducerOptions<>(keySerializer, valueSerializer, Acks.LEADER, MAX_IN_FLIGHT_DEFAULT,
            MAX_BATCH_BYTES_DEFAULT, Partitioning.STICKY, true, Duration.ZERO,
            CompressionType.NONE, true);
    }

    /**
     * @param acks when the broker acknowledges.
     * @return a copy.
     */
    public ProducerOptions<K, V> withAcks(final Acks acks)
    {
        return new ProducerOptions<>(keySerializer, valueSerializer, acks, maxInFlight, maxBatchBytes, partitioning,
            stopOnError, linger, compression, idempotence);
    }

    /**
     * @param maxInFlight records taken from upstream and not yet acknowledged (and emitted); the upstream is asked
     *                    for more only as results are emitted.
     * @return a copy.
     */
    public ProducerOptions<K, V> withMaxInFlight(final int maxInFlight)
    {
        return new ProducerOptions<>(keySerializer, valueSerializer, acks, maxInFlight, maxBatchBytes, partitioning,
            stopOnError, linger, compression, idempotence);
    }

    /**
     * @param maxBatchBytes most bytes of records sent to one partition in one request (Kafka's {@code batch.size});
     *                      also capped by what the connection carries.
     * @return a copy.
     */
    public ProducerOptions<K, V> withMaxBatchBytes(final int maxBatchBytes)
    {
        return new ProducerOptions<>(keySerializer, valueSerializer, acks, maxInFlight, maxBatchBytes, partitioning,
            stopOnError, linger, compression, idempotence);
    }

    /**
     * @param partitioning of records with neither a partition nor a key.
     * @return a copy.
     */
    public ProducerOptions<K, V> withPartitioning(final Partitioning partitioning)
    {
        return new ProducerOptions<>(keySerializer, valueSerializer, acks, maxInFlight, maxBatchBytes, partitioning,
            stopOnError, linger, compression, idempotence);
    }

    /**
     * @param stopOnError {@code true}: the first failed record ends the send Flux with its {@link SluiceException};
     *                    {@code false}: it is emitted as a {@link SendResult} with the exception and sending goes on.
     * @return a copy.
     */
    public ProducerOptions<K, V> withStopOnError(final boolean stopOnError)
    {
        return new ProducerOptions<>(keySerializer, valueSerializer, acks, maxInFlight, maxBatchBytes, partitioning,
            stopOnError, linger, compression, idempotence);
    }

    /**
     * @param linger how long a record may wait for more records to the same partition before its batch is sent,
     *               unless the batch reaches {@link #maxBatchBytes()} first (Kafka's {@code linger.ms}); zero (the
     *               default) sends at once, batching only records that wait for the connection.
     * @return a copy.
     */
    public ProducerOptions<K, V> withLinger(final Duration linger)
    {
        return new ProducerOptions<>(keySerializer, valueSerializer, acks, maxInFlight, maxBatchBytes, partitioning,
            stopOnError, linger, compression, idempotence);
    }

    /**
     * @param compression of each batch's records; {@link CompressionType#NONE} by default.
     * @return a copy.
     */
    public ProducerOptions<K, V> withCompression(final CompressionType compression)
    {
        return new ProducerOptions<>(keySerializer, valueSerializer, acks, maxInFlight, maxBatchBytes, partitioning,
            stopOnError, linger, compression, idempotence);
    }

    /**
     * @param idempotence {@code true} (the default, as Kafka's since 3.0): each batch carries the producer's id and
     *                    a sequence number per partition, and the broker drops a batch it already appended (a retry)
     *                    and refuses one that skips or reorders sequences; {@code false}: batches carry neither.
     *                    Ignored with {@link Acks#NONE}, as in Kafka: without acknowledgements a refused batch would
     *                    go unnoticed.
     * @return a copy.
     */
    public ProducerOptions<K, V> withIdempotence(final boolean idempotence)
    {
        return new ProducerOptions<>(keySerializer, valueSerializer, acks, maxInFlight, maxBatchBytes, partitioning,
            stopOnError, linger, compression, idempotence);
    }

    /**
     * @return whether batches carry a producer id and sequence numbers.
     */
    public boolean idempotence()
    {
        return idempotence;
    }

    /**
     * @return compression of each batch's records.
     */
    public CompressionType compression()
    {
        return compression;
    }

    /**
     * @return how long a record may wait for its batch to fill.
     */
    public Duration linger()
    {
        return linger;
    }

    /**
     * @return key serializer.
     */
    public Serializer<K> keySerializer()
    {
        return keySerializer;
    }

    /**
     * @return value serializer.
     */
    public Serializer<V> valueSerializer()
    {
        return valueSerializer;
    }

    /**
     * @return acknowledgement level.
     */
    public Acks acks()
    {
        return acks;
    }

    /**
     * @return records in flight at most.
     */
    public int maxInFlight()
    {
        return maxInFlight;
    }

    /**
     * @return bytes of one batch at most.
     */
    public int maxBatchBytes()
    {
        return maxBatchBytes;
    }

    /**
     * @return partitioning of unkeyed records.
     */
    public Partitioning partitioning()
    {
        return partitioning;
    }

    /**
     * @return whether the first failure ends the send Flux.
     */
    public boolean stopOnError()
    {
        return stopOnError;
    }
}
