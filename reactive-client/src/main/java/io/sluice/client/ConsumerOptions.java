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
 * matching topic, new ones included) or {@link #withAssignment} (the partitions named). With a
 * {@link #withGroupId group}, topics and patterns make the consumer a member of the group: the group coordinator
 * divides the partitions among its members ({@link #withAssignor}) and moves them as members come and go.
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
    private final Assignor assignor;
    private final Duration sessionTimeout;
    private final Duration heartbeatInterval;
    private final Duration rebalanceTimeout;
    private final Duration revokeTimeout;
    private final AssignmentListener assignmentListener;

    /** The fields of an options object being built; copied, changed once, then frozen. */
    private static final class Settings<K, V> implements Cloneable
    {
        Deserializer<K> keyDeserializer;
        Deserializer<V> valueDeserializer;
        String groupId;
        List<String> topics = List.of();
        List<TopicPartition> assignment = List.of();
        Pattern topicPattern;
        Map<TopicPartition, Long> seeks = Map.of();
        OffsetReset offsetReset = OffsetReset.LATEST;
        long maxBufferedBytes = MAX_BUFFERED_BYTES_DEFAULT;
        Duration commitInterval = Duration.ofSeconds(1);
        Assignor assignor = Assignor.COOPERATIVE_STICKY;
        Duration sessionTimeout = Duration.ofSeconds(10);
        Duration heartbeatInterval = Duration.ofSeconds(1);
        Duration rebalanceTimeout = Duration.ofSeconds(30);
        Duration revokeTimeout = Duration.ofSeconds(10);
        AssignmentListener assignmentListener;

        @SuppressWarnings("unchecked")
        Settings<K, V> copy()
        {
            try
            {
                return (Settings<K, V>)clone();
            }
            catch (final CloneNotSupportedException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }

    private ConsumerOptions(final Settings<K, V> s)
    {
        this.keyDeserializer = Objects.requireNonNull(s.keyDeserializer, "keyDeserializer");
        this.valueDeserializer = Objects.requireNonNull(s.valueDeserializer, "valueDeserializer");
        this.groupId = s.groupId;
        this.topics = List.copyOf(s.topics);
        this.assignment = List.copyOf(s.assignment);
        this.topicPattern = s.topicPattern;
        this.seeks = Map.copyOf(s.seeks);
        this.offsetReset = Objects.requireNonNull(s.offsetReset, "offsetReset");
        if (s.maxBufferedBytes < 64 * 1024)
        {
            throw new IllegalArgumentException("maxBufferedBytes must be at least 64 KiB: " + s.maxBufferedBytes);
        }
        this.maxBufferedBytes = s.maxBufferedBytes;
        this.commitInterval = ClientOptions.requirePositive(s.commitInterval, "commitInterval");
        this.assignor = Objects.requireNonNull(s.assignor, "assignor");
        this.sessionTimeout = ClientOptions.requirePositive(s.sessionTimeout, "sessionTimeout");
        this.heartbeatInterval = ClientOptions.requirePositive(s.heartbeatInterval, "heartbeatInterval");
        this.rebalanceTimeout = ClientOptions.requirePositive(s.rebalanceTimeout, "rebalanceTimeout");
        this.revokeTimeout = ClientOptions.requirePositive(s.revokeTimeout, "revokeTimeout");
        this.assignmentListener = s.assignmentListener;
        if (heartbeatInterval.compareTo(sessionTimeout) >= 0)
        {
            throw new IllegalArgumentException("heartbeatInterval " + heartbeatInterval + " must be shorter than " +
                "sessionTimeout " + sessionTimeout);
        }
        if (revokeTimeout.compareTo(rebalanceTimeout) >= 0)
        {
            throw new IllegalArgumentException("revokeTimeout " + revokeTimeout + " must be shorter than " +
                "rebalanceTimeout " + rebalanceTimeout + ": a member gives its partitions up before the group " +
                "stops waiting for it");
        }
    }

    private Settings<K, V> settings()
    {
        final Settings<K, V> s = new Settings<>();
        s.keyDeserializer = keyDeserializer;
        s.valueDeserializer = valueDeserializer;
        s.groupId = groupId;
        s.topics = topics;
        s.assignment = assignment;
        s.topicPattern = topicPattern;
        s.seeks = seeks;
        s.offsetReset = offsetReset;
        s.maxBufferedBytes = maxBufferedBytes;
        s.commitInterval = commitInterval;
        s.assignor = assignor;
        s.sessionTimeout = sessionTimeout;
        s.heartbeatInterval = heartbeatInterval;
        s.rebalanceTimeout = rebalanceTimeout;
        s.revokeTimeout = revokeTimeout;
        s.assignmentListener = assignmentListener;
        return s;
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
        final Settings<K, V> s = new Settings<>();
        s.keyDeserializer = keyDeserializer;
        s.valueDeserializer = valueDeserializer;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param groupId whose committed offsets the consumer starts from and commits to; {@code null} for none
     *                (nothing is committed).
     * @return a copy.
     */
    public ConsumerOptions<K, V> withGroupId(final String groupId)
    {
        final Settings<K, V> s = settings();
        s.groupId = groupId;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param topics to read every partition of; replaces an assignment.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withTopics(final String... topics)
    {
        final Settings<K, V> s = settings();
        s.topics = List.of(topics);
        s.assignment = List.of();
        s.topicPattern = null;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param topicPattern every partition of every topic whose whole name matches is read; replaces topics and an
     *                     assignment. Topics created later that match are picked up within
     *                     {@link #PATTERN_REFRESH_MS} ms; internal topics never match.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withTopicPattern(final Pattern topicPattern)
    {
        final Settings<K, V> s = settings();
        s.topics = List.of();
        s.assignment = List.of();
        s.topicPattern = Objects.requireNonNull(topicPattern, "topicPattern");
        return new ConsumerOptions<>(s);
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
        final Settings<K, V> s = settings();
        s.topics = List.of();
        s.assignment = List.of(partitions);
        s.topicPattern = null;
        return new ConsumerOptions<>(s);
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
        final Settings<K, V> s = settings();
        s.seeks = more;
        return new ConsumerOptions<>(s);
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
        final Settings<K, V> s = settings();
        s.seeks = more;
        return new ConsumerOptions<>(s);
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
        final Settings<K, V> s = settings();
        s.offsetReset = offsetReset;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param maxBufferedBytes most bytes of fetched records the client holds for this consumer, received and not
     *                         yet emitted plus granted as credit and not yet received; split evenly over the
     *                         partitions, each share at least the largest batch a topic allows.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withMaxBufferedBytes(final long maxBufferedBytes)
    {
        final Settings<K, V> s = settings();
        s.maxBufferedBytes = maxBufferedBytes;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param commitInterval between commits of acknowledged offsets (with a group).
     * @return a copy.
     */
    public ConsumerOptions<K, V> withCommitInterval(final Duration commitInterval)
    {
        final Settings<K, V> s = settings();
        s.commitInterval = commitInterval;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param assignor how the group divides partitions among its members when this consumer subscribes (topics or
     *                 a pattern) with a group; every member of a group uses the same one.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withAssignor(final Assignor assignor)
    {
        final Settings<K, V> s = settings();
        s.assignor = assignor;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param sessionTimeout a member the group coordinator has not heard from for this long is removed and its
     *                       partitions go to others (500 ms to 30 min). Heartbeats come from the client's I/O thread,
     *                       so a slow subscriber does not lose its membership.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withSessionTimeout(final Duration sessionTimeout)
    {
        final Settings<K, V> s = settings();
        s.sessionTimeout = sessionTimeout;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param heartbeatInterval between heartbeats to the group coordinator; shorter than the session timeout, and
     *                          the longest a member takes to notice a rebalance.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withHeartbeatInterval(final Duration heartbeatInterval)
    {
        final Settings<K, V> s = settings();
        s.heartbeatInterval = heartbeatInterval;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param rebalanceTimeout how long the group waits for every member to rejoin in a rebalance; a member that has
     *                         not rejoined by then is removed.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withRebalanceTimeout(final Duration rebalanceTimeout)
    {
        final Settings<K, V> s = settings();
        s.rebalanceTimeout = rebalanceTimeout;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param revokeTimeout how long a member waits, when it gives a partition up, for the records of that partition
     *                      it has emitted to be acknowledged (and commits them); records still unacknowledged then
     *                      are abandoned (not committed: the partition's next member reads them again). Shorter
     *                      than the rebalance timeout.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withRevokeTimeout(final Duration revokeTimeout)
    {
        final Settings<K, V> s = settings();
        s.revokeTimeout = revokeTimeout;
        return new ConsumerOptions<>(s);
    }

    /**
     * @param assignmentListener told, on the client's I/O thread, when a receive takes partitions and when it has
     *                           given them up; {@code null} for none. It must not block.
     * @return a copy.
     */
    public ConsumerOptions<K, V> withAssignmentListener(final AssignmentListener assignmentListener)
    {
        final Settings<K, V> s = settings();
        s.assignmentListener = assignmentListener;
        return new ConsumerOptions<>(s);
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

    /**
     * @return the group's assignor.
     */
    public Assignor assignor()
    {
        return assignor;
    }

    /**
     * @return session timeout.
     */
    public Duration sessionTimeout()
    {
        return sessionTimeout;
    }

    /**
     * @return heartbeat interval.
     */
    public Duration heartbeatInterval()
    {
        return heartbeatInterval;
    }

    /**
     * @return rebalance timeout.
     */
    public Duration rebalanceTimeout()
    {
        return rebalanceTimeout;
    }

    /**
     * @return revoke timeout.
     */
    public Duration revokeTimeout()
    {
        return revokeTimeout;
    }

    /**
     * @return the assignment listener, or {@code null}.
     */
    public AssignmentListener assignmentListener()
    {
        return assignmentListener;
    }

    /**
     * @return whether the consumer is a member of its group, with partitions assigned by the group coordinator: it
     *         has a group and subscribes to topics or a pattern (an assignment reads exactly the partitions named).
     */
    public boolean usesGroupMembership()
    {
        return null != groupId && assignment.isEmpty();
    }
}
