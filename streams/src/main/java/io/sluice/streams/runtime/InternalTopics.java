package io.sluice.streams.runtime;

import io.sluice.client.SluiceAdmin;
import io.sluice.client.SluiceException;
import io.sluice.codecs.client.ErrorCode;
import io.sluice.streams.Topology;
import io.sluice.streams.internals.NodeDef;
import io.sluice.streams.internals.StoreDef;
import io.sluice.transport.TopicDescription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The topics an application needs and makes: repartition topics with as many partitions as the largest source topic
 * of the sub-topology that writes them (unless configured), changelogs with the partitions of their sub-topology's
 * sources, and the checkpoint topic (one partition), compacted if the broker knows {@code cleanup.policy}. Checks that each sub-topology's sources are
 * co-partitioned. Runs once, on the thread that starts the application. Not part of the API.
 */
public final class InternalTopics
{
    /** The topic configuration Kafka uses for changelogs; only set if the broker's topics have it. */
    static final String CLEANUP_POLICY = "cleanup.policy";
    static final String SEGMENT_BYTES = "segment.bytes";
    /** Largest segment of a changelog or checkpoint topic: 8 MiB. */
    static final long CHANGELOG_SEGMENT_BYTES = 8 * 1024 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(InternalTopics.class);

    private final String applicationId;
    private final Topology topology;
    private final SluiceAdmin admin;
    private final Duration timeout;
    /** Topic name to partitions, of every topic the application reads or creates. */
    private final Map<String, Integer> partitions = new TreeMap<>();

    /**
     * @param applicationId prefixes the internal topics.
     * @param topology      to run.
     * @param admin         to describe and create topics with.
     * @param timeout       of each admin call.
     */
    public InternalTopics(final String applicationId, final Topology topology, final SluiceAdmin admin,
        final Duration timeout)
    {
        this.applicationId = applicationId;
        this.topology = topology;
        this.admin = admin;
        this.timeout = timeout;
    }

    /**
     * Create the internal topics that do not exist.
     *
     * @param replicationFactor     of new topics.
     * @param repartitionPartitions of new repartition topics, or 0 to derive them.
     * @return every topic read or made, with its partitions.
     * @throws IllegalStateException if a source topic is missing, a sub-topology's sources are not co-partitioned,
     *                               or an existing internal topic has other partitions than the topology needs.
     */
    public Map<String, Integer> ensure(final int replicationFactor, final int repartitionPartitions)
    {
        final Map<String, Topology.Subtopology> writers = repartitionWriters();
        // Sources first: external topics must exist; repartition topics get their count from their writer, whose
        // own sources may be repartition topics too, so resolve until nothing changes.
        for (final Topology.Subtopology subtopology : topology.subtopologies())
        {
            for (final String topic : subtopology.sourceTopics(applicationId))
            {
                if (!writers.containsKey(topic))
                {
                    final TopicDescription existing = describe(topic);
                    if (null == existing)
                    {
                        throw new IllegalStateException("source topic " + topic + " does not exist: create it " +
                            "before starting application " + applicationId);
                    }
                    partitions.put(topic, existing.partitions().size());
                }
            }
        }
        boolean changed = true;
        while (changed)
        {
            changed = false;
            for (final Map.Entry<String, Topology.Subtopology> writer : writers.entrySet())
            {
                if (partitions.containsKey(writer.getKey()))
                {
                    continue;
                }
                final int largest = largestSource(writer.getValue());
                if (largest > 0)
                {
                    partitions.put(writer.getKey(), repartitionPartitions > 0 ? repartitionPartitions : largest);
                    changed = true;
                }
            }
        }
        for (final String topic : writers.keySet())
        {
            if (!partitions.containsKey(topic))
            {
                throw new IllegalStateException("cannot tell how many partitions repartition topic " + topic +
                    " needs: its writer reads no topic of known size");
            }
        }
        final Map<String, String> changelogConfig = changelogConfig();
        for (final String topic : writers.keySet())
        {
            create(topic, partitions.get(topic), replicationFactor, Map.of());
        }
        for (final Topology.Subtopology subtopology : topology.subtopologies())
        {
            final int count = copartitioned(subtopology);
            for (final StoreDef store : subtopology.stores())
            {
                final String changelog = store.changelogTopic(applicationId);
                create(changelog, count, replicationFactor, changelogConfig);
                partitions.put(changelog, count);
            }
        }
        final String checkpoints = StreamThread.checkpointTopic(applicationId);
        create(checkpoints, 1, replicationFactor, changelogConfig);
        partitions.put(checkpoints, 1);
        return Map.copyOf(partitions);
    }

    /**
     * @return each repartition topic (its name in the cluster) and the sub-topology that writes it.
     */
    private Map<String, Topology.Subtopology> repartitionWriters()
    {
        final Map<String, Topology.Subtopology> writers = new LinkedHashMap<>();
        for (final Topology.Subtopology subtopology : topology.subtopologies())
        {
            for (final NodeDef node : subtopology.nodes())
            {
                if (node.kind() == NodeDef.Kind.SINK && node.internalTopic())
                {
                    writers.put(Topology.topicName(applicationId, node.topics().get(0), true), subtopology);
                }
            }
        }
        return writers;
    }

    private int largestSource(final Topology.Subtopology subtopology)
    {
        int largest = 0;
        for (final String topic : subtopology.sourceTopics(applicationId))
        {
            final Integer count = partitions.get(topic);
            if (null == count)
            {
                return 0; // not known yet
            }
            largest = Math.max(largest, count);
        }
        return largest;
    }

    /**
     * A task reads partition p of each of its sources, so they must have the same number of partitions (and the
     * same keys in the same partitions, which only the producers can ensure).
     */
    private int copartitioned(final Topology.Subtopology subtopology)
    {
        int count = -1;
        for (final String topic : subtopology.sourceTopics(applicationId))
        {
            final int partitionsOfTopic = partitions.get(topic);
            if (count >= 0 && count != partitionsOfTopic)
            {
                throw new IllegalStateException("sub-topology " + subtopology.id() + " reads topics that are not " +
                    "co-partitioned: " + subtopology.sourceTopics(applicationId) + " have " + partitionsOf(
                    subtopology.sourceTopics(applicationId)) + " partitions");
            }
            count = partitionsOfTopic;
        }
        return count;
    }

    private List<Integer> partitionsOf(final List<String> topics)
    {
        return topics.stream().map(partitions::get).toList();
    }

    /**
     * Changelogs are compacted where the broker can (Kafka's {@code cleanup.policy=compact}); a broker whose topics
     * have no such setting refuses it, and keeps every change instead. Their segments are at most
     * {@link #CHANGELOG_SEGMENT_BYTES}: the broker preallocates each segment whole, and one more ahead, and compacts
     * only the segments a log has rolled out of.
     */
    private Map<String, String> changelogConfig()
    {
        for (final String topic : partitions.keySet())
        {
            final TopicDescription description = describe(topic);
            if (null != description)
            {
                final Map<String, String> config = new HashMap<>();
                if (description.config().containsKey(CLEANUP_POLICY))
                {
                    config.put(CLEANUP_POLICY, "compact");
                }
                final String segmentBytes = description.config().get(SEGMENT_BYTES);
                if (null != segmentBytes && Long.parseLong(segmentBytes.trim()) > CHANGELOG_SEGMENT_BYTES)
                {
                    config.put(SEGMENT_BYTES, String.valueOf(CHANGELOG_SEGMENT_BYTES));
                }
                return Map.copyOf(config);
            }
        }
        return Map.of();
    }

    private void create(final String topic, final int count, final int replicationFactor,
        final Map<String, String> config)
    {
        final TopicDescription existing = describe(topic);
        if (null == existing)
        {
            try
            {
                admin.createTopic(topic, count, replicationFactor, config).block(timeout);
                LOG.info("{}: created internal topic {} with {} partitions", applicationId, topic, count);
                return;
            }
            catch (final SluiceException ex)
            {
                // Another instance of the application may have created it meanwhile: look again.
                if (null == describe(topic))
                {
                    throw ex;
                }
            }
        }
        final int actual = null == existing ? describe(topic).partitions().size() : existing.partitions().size();
        if (actual != count)
        {
            throw new IllegalStateException("internal topic " + topic + " has " + actual + " partitions, the " +
                "topology needs " + count);
        }
    }

    /**
     * @return the topic with its configuration, or null if it does not exist.
     */
    private TopicDescription describe(final String topic)
    {
        try
        {
            return admin.describeTopic(topic).block(timeout);
        }
        catch (final SluiceException ex)
        {
            if (ex.errorCode() == ErrorCode.UNKNOWN_TOPIC)
            {
                return null;
            }
            throw ex;
        }
    }
}
