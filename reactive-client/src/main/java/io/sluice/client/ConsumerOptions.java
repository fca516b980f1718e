package io.sluice.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a {@link SluiceConsumer} reads and how. Immutable: each {@code withXxx} returns a copy.
 * <p>
 * Either {@link #withTopics} (every partition of the topics), {@link #withTopicPattern} (every partition of every
 * matching topic, new ones included) or {@link #withAssignment} (the partitions named).
 * Each partition starts at its {@link #withSeek seek} position if one was given, else at the group's committed
 * offset, else where {@link #withOffsetReset} says.
 *
 * @param <K> key type.
 * @param <V> value type.
 */
public final class ConsumerOptions<K, V>
{
    /** Seek position: the first record the partition holds. */
    public static final long BEGINNING = -2;
    /** Seek position: the end of the partition. */
    public static final long END = -1;
    /** Seek positions below this are {@code TIMESTAMP_BASE - timestampMs}: see {@link #withSeekToTimestamp}. */
    static final long TIMESTAMP_BASE = -3;
    /** How often a pattern subscription looks for new matching topics, in milliseconds. */
    public static final long PATTERN_REFRESH_MS = 2_000;
    /** Default of {@link #maxBufferedBytes()}. */
    public static final long MAX_BUFFERED_BYTES_DEFAULT = 16 * 1024 * 1024;

    private final Deserializer<K> keyDeserializer;
    private final Deserializer<V> valueDeserializer;
    private final String groupId;
    private final List<String> topics;
    private final List<TopicPartition> assignment;
    private final Pattern topicPattern;
    private final Map<TopicPartition, Long> seeks;
    private final OffsetReset offsetReset;
    private final long maxBufferedBytes;
    private final Duration commitInterval;

    private ConsumerOptions(
        final Deserializer<K> keyDeserializer,
        final Deserializer<V> valueDeserializer,
        final String groupId,
        final List<String> topics,
        final List<TopicPartition> assignment,
        final Pattern topicPattern,
        final Map<TopicPartition, Long> seeks,
        final OffsetReset offsetReset,
        final long maxBufferedBytes,
        final Duration commitInterval)
    {
        this.keyDeserializer = Objects.requireNonNull(keyDeserializer, "keyDeserializer");
        this.valueDeserializer = Objects.requireNonNull(valueDeserializer, "valueDeserializer");
        this.groupId = groupId;
        this.topics = List.copyOf(topics);
        this.assignment = List.copyOf(assignment);
        this.topicPattern = topicPattern;
        this.seeks = Map.copyOf(seeks);
        this.offsetReset = Objects.requireNonNull(offsetReset, "offsetReset");
        if (maxBufferedBytes < 64 * 1024)
        {
            throw new IllegalArgumentException("maxBufferedBytes must be at least 64 KiB: " + maxBufferedBytes);
        }
        this.maxBufferedBytes = maxBufferedBytes;
        this.commitInterval = ClientOptions.requirePositive(commitInterval, "commitInterval");
    }

    /**
     * @param keyDeserializer   of keys.
     * @param valueDeserializer of values.
     * @param <K>               key type.
     * @param <V>               value type.
     * @return options with no group, nothing to read yet, {@link OffsetReset#LATEST}, 16 MiB buffered at most,
     *         commits every second.
     */
    public static <K, V> ConsumerOptions<K, V> create(
        final Deserializer<K> keyDeserializer, final Deserializer<V> valueDeserializer)
    {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, null, List.of(), List.of(), null, Map.of(),
            OffsetReset.LATEST, MAX_BUFFERED_BYTES_DEFAULT, Duration.ofSeconds(1));
    }

    /**
     * @param groupId whose committed offsets the consumer starts from and commits to; {@code null} for none
     *                (nothing is committed).
     * @return a copy.
     */
    public ConsumerOptions<K, V> withGroupId(final String groupId)
    {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, groupId, topics, assignment, topicPattern,
            seeks, offsetReset, maxBufferedBytes, commitInterval);
    }

    /**
     * @param topics to read every partition of; replaces an assignment.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withTopics(final String... topics)
    {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, groupId, List.of(topics), List.of(), null,
            seeks, offsetReset, maxBufferedBytes, commitInterval);
    }

    /**
     * @param topicPattern every partition of every topic whose whole name matches is read; replaces topics and an
     *                     assignment. Topics created later that match are picked up within
     *                     {@link #PATTERN_REFRESH_MS} ms; internal topics never match.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withTopicPattern(final Pattern topicPattern)
    {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, groupId, List.of(), List.of(),
            Objects.requireNonNull(topicPattern, "topicPattern"), seeks, offsetReset, maxBufferedBytes,
            commitInterval);
    }

    /**
     * @return the topic pattern, or {@code null}.
     */
    public Pattern topicPattern()
    {
        return topicPattern;
    }

    /**
     * @param partitions to read; replaces topics.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withAssignment(final TopicPartition... partitions)
    {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, groupId, List.of(), List.of(partitions),
            null, seeks, offsetReset, maxBufferedBytes, commitInterval);
    }

    /**
     * @param partition to position.
     * @param offset    first offset to read, or {@link #BEGINNING} or {@link #END}; overrides a committed offset.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withSeek(final TopicPartition partition, final long offset)
    {
        if (offset < BEGINNING)
        {
            throw new IllegalArgumentException("offset must be BEGINNING, END or at least 0: " + offset);
        }
        final Map<TopicPartition, Long> more = new LinkedHashMap<>(seeks);
        more.put(Objects.requireNonNull(partition, "partition"), offset);
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, groupId, topics, assignment, topicPattern,
            more, offsetReset, maxBufferedBytes, commitInterval);
    }

    /**
     * @param partition   to position.
     * @param timestampMs epoch milliseconds: the partition starts at the first record whose timestamp is at or after
     *                    it (Kafka's {@code offsetsForTimes}), or at its end if no record is that recent; overrides
     *                    a committed offset.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withSeekToTimestamp(final TopicPartition partition, final long timestampMs)
    {
        if (timestampMs < 0)
        {
            throw new IllegalArgumentException("timestamp must not be negative: " + timestampMs);
        }
        final Map<TopicPartition, Long> more = new LinkedHashMap<>(seeks);
        more.put(Objects.requireNonNull(partition, "partition"), TIMESTAMP_BASE - timestampMs);
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, groupId, topics, assignment, topicPattern,
            more, offsetReset, maxBufferedBytes, commitInterval);
    }

    /**
     * @param seek a value of {@link #seeks()}.
     * @return whether it is a seek to a timestamp.
     */
    public static boolean isTimestampSeek(final long seek)
    {
        return seek <= TIMESTAMP_BASE;
    }

    /**
     * @param seek a value of {@link #seeks()} for which {@link #isTimestampSeek} holds.
     * @return its timestamp, epoch milliseconds.
     */
    public static long seekTimestamp(final long seek)
    {
        return TIMESTAMP_BASE - seek;
    }

    /**
     * @param offsetReset where a partition without a committed offset or a seek starts.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withOffsetReset(final OffsetReset offsetReset)
    {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, groupId, topics, assignment, topicPattern,
            seeks, offsetReset, maxBufferedBytes, commitInterval);
    }

    /**
     * @param maxBufferedBytes most bytes of fetched records the client holds for this consumer, received and not
     *                         yet emitted plus granted as credit and not yet received; split evenly over the
     *                         partitions, each share at least the largest batch a topic allows.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withMaxBufferedBytes(final long maxBufferedBytes)
    {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, groupId, topics, assignment, topicPattern,
            seeks, offsetReset, maxBufferedBytes, commitInterval);
    }

    /**
     * @param commitInterval between commits of acknowledged offsets (with a group).
     * @return a copy.
     */
    public ConsumerOptions<K, V> withCommitInterval(final Duration commitInterval)
    {
        return new ConsumerOptions<>(keyDeserializer, valueDeserializer, groupId, topics, assignment, topicPattern,
            seeks, offsetReset, maxBufferedBytes, commitInterval);
    }

    /**
     * @return key deserializer.
     */
    public Deserializer<K> keyDeserializer()
    {
        return keyDeserializer;
    }

    /**
     * @return value deserializer.
     */
    public Deserializer<V> valueDeserializer()
    {
        return valueDeserializer;
    }

    /**
     * @return the group, or {@code null}.
     */
    public String groupId()
    {
        return groupId;
    }

    /**
     * @return topics read whole; empty with an assignment.
     */
    public List<String> topics()
    {
        return topics;
    }

    /**
     * @return partitions assigned; empty with topics.
     */
    public List<TopicPartition> assignment()
    {
        return assignment;
    }

    /**
     * @return seek positions by partition: an offset, {@link #BEGINNING}, {@link #END}, or a timestamp encoded as
     *         {@link #isTimestampSeek} and {@link #seekTimestamp} read it.
     */
    public Map<TopicPartition, Long> seeks()
    {
        return seeks;
    }

    /**
     * @return where a partition without a committed offset starts.
     */
    public OffsetReset offsetReset()
    {
        return offsetReset;
    }

    /**
     * @return bytes buffered at most.
     */
    public long maxBufferedBytes()
    {
        return maxBufferedBytes;
    }

    /**
     * @return commit interval.
     */
    public Duration commitInterval()
    {
        return commitInterval;
    }
}
