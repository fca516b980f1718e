package io.sluice.streams;

import io.sluice.streams.internals.NodeDef;
import io.sluice.streams.internals.StoreDef;

import java.util.ArrayList;
import java.util.List;

/**
 * A built topology: what {@link StreamsBuilder#build()} returns, run by {@link TopologyTestDriver} (and by the
 * application runtime). It is cut into sub-topologies: each reads its own source topics, holds its own stores, and
 * runs as one task per input partition; records pass from one to the next only through a topic (a repartition
 * topic after a key change).
 */
public final class Topology
{
    /**
     * One connected part of the topology.
     *
     * @param id     0, 1, ... in the order of its first node.
     * @param nodes  its nodes, in the order they were added.
     * @param stores its stores.
     */
    public record Subtopology(int id, List<NodeDef> nodes, List<StoreDef> stores)
    {
        /**
         * @param applicationId prefixes internal topics.
         * @return the topics its sources read.
         */
        public List<String> sourceTopics(final String applicationId)
        {
            final List<String> topics = new ArrayList<>();
            for (final NodeDef node : nodes)
            {
                if (node.kind() == NodeDef.Kind.SOURCE)
                {
                    for (final String topic : node.topics())
                    {
                        topics.add(topicName(applicationId, topic, node.internalTopic()));
                    }
                }
            }
            return topics;
        }
    }

    private final List<Subtopology> subtopologies;

    /**
     * @param subtopologies as cut by the builder.
     */
    public Topology(final List<Subtopology> subtopologies)
    {
        this.subtopologies = subtopologies;
    }

    public List<Subtopology> subtopologies()
    {
        return subtopologies;
    }

    /**
     * @param applicationId the application's id.
     * @param topic         as named in the topology.
     * @param internal      whether the topology made the topic (a repartition topic).
     * @return the topic's name in the cluster: internal topics get the application id and a dash in front.
     */
    public static String topicName(final String applicationId, final String topic, final boolean internal)
    {
        return internal ? applicationId + "-" + topic : topic;
    }

    /**
     * @return a description: sub-topologies, their nodes with parents, topics and stores, one per line.
     */
    public String describe()
    {
        final StringBuilder out = new StringBuilder("Topology\n");
        for (final Subtopology subtopology : subtopologies)
        {
            out.append("  Sub-topology ").append(subtopology.id()).append('\n');
            for (final NodeDef node : subtopology.nodes())
            {
                out.append("    ").append(node.kind()).append(' ').append(node.name());
                if (!node.topics().isEmpty())
                {
                    out.append(" (topics: ").append(node.topics()).append(node.internalTopic() ? ", internal" : "")
                        .append(')');
                }
                if (!node.stores().isEmpty())
                {
                    out.append(" (stores: ").append(node.stores()).append(')');
                }
                if (!node.parents().isEmpty())
                {
                    out.append(" <- ").append(node.parents());
                }
                out.append('\n');
            }
        }
        return out.toString();
    }

    public String toString()
    {
        return describe();
    }
}
