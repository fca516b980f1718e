package io.sluice.broker;

import io.sluice.codecs.RecordBatchBuilder;
import io.sluice.codecs.RecordBatchView;
import io.sluice.engine.LogConfig;
import io.sluice.engine.LogManager;
import io.sluice.engine.LogReadResult;
import io.sluice.engine.PartitionLog;
import io.sluice.transport.PartitionRef;
import io.sluice.transport.controller.TopicInfo;
import org.agrona.BufferUtil;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Consumer groups' committed offsets, kept in the internal topic {@value #TOPIC} so that they are as durable as
 * any record and survive a restart: each commit appends one record whose key is {@code group \0 topic \0
 * partition} and whose value is the offset (8 bytes, little-endian); on start the broker reads the topic from the
 * beginning and keeps the last value of each key in memory.
 * <p>
 * The topic is compacted by copying forward, as Kafka's log cleaner keeps only each key's latest value: once more
 * records were appended since the last copy than twice the live keys (and at least {@link #COMPACT_MIN_RECORDS}),
 * the latest value of every key is appended again, and the segments wholly before the first copy are handed to the log
 * for deletion ({@link PartitionLog#deleteRecordsBefore}), which its maintenance carries out like retention. A
 * crash between the copy and the deletion leaves both, which reload to the same offsets. Unlike Kafka's cleaner,
 * copies get new offsets; nothing reads this topic by offset but the broker.
 * <p>
 * In a cluster the topic is replicated like any other (one partition, replication factor up to 3,
 * {@code min.insync.replicas} up to 2), created through the controller, and only the broker leading its partition
 * keeps offsets: it is the group coordinator. A commit is answered when the high watermark passes its record,
 * as an {@code acks=all} produce. Each new leader reloads the topic from its own log.
 * <p>
 * Owned by the broker agent.
 */
final class GroupOffsets
{
    static final String TOPIC = TopicRegistry.INTERNAL_PREFIX + "consumer_offsets";
    static final int MAX_GROUP_LENGTH = 249;
    static final int COMPACT_MIN_RECORDS = 10_000;
    static final Map<String, String> TOPIC_CONFIG = Map.of(
        LogConfig.SEGMENT_BYTES, String.valueOf(16 * 1024 * 1024),
        LogConfig.PRETOUCH_BYTES, "0");

    private final Object2LongHashMap<String> offsets = new Object2LongHashMap<>(-1);
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(4096, 64));
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    /** Where the offsets are kept; null while detached. */
    private PartitionLog log;
    private final int compactMinRecords;
    /** First offset of the last copy, -1 before any. */
    private long copiedFrom = -1;

    GroupOffsets(final LogManager logManager)
    {
        this(logManager, TOPIC_CONFIG, COMPACT_MIN_RECORDS);
    }

    /**
     * A single broker's offsets: the local topic, created if missing, loaded now.
     */
    GroupOffsets(final LogManager logManager, final Map<String, String> topicConfig, final int compactMinRecords)
    {
        this(compactMinRecords);
        final List<String> topics = logManager.topics();
        attach(topics.contains(TOPIC) ?
            logManager.log(TOPIC, 0) : logManager.createTopic(TOPIC, 1, topicConfig).get(0));
    }

    /**
     * A cluster broker's offsets: detached until this broker leads the replicated offsets topic ({@link #attach}).
     */
    GroupOffsets(final int compactMinRecords)
    {
        this.compactMinRecords = compactMinRecords;
    }

    /**
     * Keep the offsets in this log from now on: forget what was held, and load the log's latest value of each key.
     * In a cluster, called when this broker becomes the leader of the offsets topic: its log is then the truth.
     */
    void attach(final PartitionLog log)
    {
        this.log = log;
        offsets.clear();
        copiedFrom = -1;
        load();
    }

    /**
     * Stop keeping offsets (this broker no longer leads the offsets topic): forget them.
     */
    void detach()
    {
        log = null;
        offsets.clear();
        copiedFrom = -1;
    }

    boolean isAttached()
    {
        return null != log;
    }

    /**
     * @return how many keys (group, topic, partition) have an offset.
     */
    int size()
    {
        return offsets.size();
    }

    /**
     * @param clusterSize members of the controller quorum.
     * @return the offsets topic's replication factor in a cluster of that size: 3, or every broker if fewer.
     */
    static int replicationFactor(final int clusterSize)
    {
        return Math.min(3, clusterSize);
    }

    /**
     * @param replicationFactor of the offsets topic.
     * @return its configuration in a cluster: the local one, with {@code min.insync.replicas} 2 (1 alone), so that
     * an acknowledged commit is on two brokers.
     */
    static Map<String, String> clusterTopicConfig(final int replicationFactor)
    {
        final Map<String, String> config = new HashMap<>(TOPIC_CONFIG);
        config.put(TopicInfo.MIN_INSYNC_REPLICAS, String.valueOf(Math.min(2, replicationFactor)));
        return config;
    }

    PartitionLog log()
    {
        return log;
    }

    /**
     * @return a message if the group name is unusable, else null.
     */
    static String validateGroup(final String group)
    {
        if (group.isEmpty() || group.length() > MAX_GROUP_LENGTH || group.indexOf('\0') >= 0)
        {
            return "group name must be 1 to " + MAX_GROUP_LENGTH + " characters without NUL: '" + group + "'";
        }
        return null;
    }

    long committed(final String group, final String topic, final int partition)
    {
        return offsets.getValue(key(group, topic, partition));
    }

    /**
     * @return every group with a committed offset.
     */
    Set<String> groups()
    {
        final Set<String> groups = new HashSet<>();
        for (final String key : offsets.keySet())
        {
            groups.add(key.substring(0, key.indexOf('\0')));
        }
        return groups;
    }

    /**
     * @param group name.
     * @return the group's committed offsets by partition.
     */
    Map<PartitionRef, Long> offsets(final String group)
    {
        final Map<PartitionRef, Long> result = new HashMap<>();
        final String prefix = group + '\0';
        final Object2LongHashMap<String>.EntryIterator entries = offsets.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            final String key = entries.getKey();
            if (key.startsWith(prefix))
            {
                final int split = key.indexOf('\0', prefix.length());
                result.put(new PartitionRef(key.substring(prefix.length(), split),
                    Integer.parseInt(key.substring(split + 1))), entries.getLongValue());
            }
        }
        return result;
    }

    /**
     * Append the commit to the log, then remember it.
     *
     * @return the log's append result: the record's offset, or a negative {@link PartitionLog} code.
     */
    long commit(final String group, final String topic, final int partition, final long offset, final long nowMs)
    {
        final String key = key(group, topic, partition);
        final long result = append(key, offset, nowMs);
        if (result >= 0)
        {
            offsets.put(key, offset);
            compactIfDue(nowMs);
        }
        return result;
    }

    /**
     * Copy every key's latest value forward when the log holds mostly superseded records; see the class comment.
     *
     * @return whether it copied.
     */
    boolean compactIfDue(final long nowMs)
    {
        final long records = log.logEndOffset() - Math.max(copiedFrom, log.logStartOffset()); // since the last copy
        if (records < compactMinRecords || records <= 2L * offsets.size())
        {
            return false;
        }
        final long from = log.logEndOffset();
        final Object2LongHashMap<String>.EntryIterator entries = offsets.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            if (append(entries.getKey(), entries.getLongValue(), nowMs) < 0)
            {
                return false; // a full disk: the older records stay, nothing is lost
            }
        }
        copiedFrom = from;
        log.deleteRecordsBefore(from);
        return true;
    }

    private long append(final String key, final long offset, final long nowMs)
    {
        final byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        final byte[] value = new byte[Long.BYTES];
        new UnsafeBuffer(value).putLong(0, offset, ByteOrder.LITTLE_ENDIAN);
        builder.wrap(batchBuffer, 0, batchBuffer.capacity());
        if (!builder.append(nowMs, keyBytes, value))
        {
            throw new IllegalArgumentException("offset commit key too long: " + keyBytes.length + " bytes");
        }
        final int length = builder.build();
        return log.append(batchBuffer, 0, length);
    }

    private void load()
    {
        final RecordBatchView view = new RecordBatchView();
        try (LogReadResult result = new LogReadResult())
        {
            long next = log.logStartOffset();
            while (next < log.logEndOffset() && log.read(next, 1024 * 1024, result) == LogReadResult.OK)
            {
                int position = 0;
                while (position < result.length())
                {
                    view.wrap(result.buffer(), position);
                    while (view.nextRecord())
                    {
                        if (!view.isKeyNull() && !view.isValueNull() && view.value().capacity() == Long.BYTES)
                        {
                            final String key = view.key().getStringWithoutLengthUtf8(0, view.key().capacity());
                            offsets.put(key, view.value().getLong(0, ByteOrder.LITTLE_ENDIAN));
                        }
                    }
                    position += result.batchLengthAt(position);
                }
                next = result.nextOffset();
            }
        }
    }

    private static String key(final String group, final String topic, final int partition)
    {
        return group + '\0' + topic + '\0' + partition;
    }
}
