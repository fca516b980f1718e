package io.sluice.streams.internals;

import io.sluice.streams.Consumed;
import io.sluice.streams.Produced;
import io.sluice.streams.Topology;
import io.sluice.streams.processor.Processor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The graph the DSL builds: nodes by name in the order they were added, and stores. {@link #build()} cuts it into
 * sub-topologies. Not part of the API.
 */
public final class TopologyDef
{
    private final LinkedHashMap<String, NodeDef> nodes = new LinkedHashMap<>();
    private final LinkedHashMap<String, StoreDef> stores = new LinkedHashMap<>();
    private final Set<String> sourceTopics = new LinkedHashSet<>();
    private int index;

    /**
     * @param prefix such as {@code KSTREAM-FILTER}.
     * @return a name not used yet: the prefix and a 10-digit sequence number, as Kafka Streams names them.
     */
    public String newName(final String prefix)
    {
        return String.format("%s-%010d", prefix, index++);
    }

    public NodeDef addSource(final String name, final List<String> topics, final boolean internal,
        final Consumed<?, ?> consumed)
    {
        for (final String topic : topics)
        {
            if (!sourceTopics.add(topic))
            {
                throw new IllegalArgumentException("topic " + topic + " is already a source of this topology");
            }
        }
        return add(NodeDef.source(name, topics, internal, consumed), List.of());
    }

    public NodeDef addProcessor(final String name, final Supplier<? extends Processor<?, ?>> supplier,
        final String... parents)
    {
        return add(NodeDef.processor(name, supplier), List.of(parents));
    }

    public NodeDef addSink(final String name, final String topic, final boolean internal, final Produced<?, ?> produced,
        final String parent)
    {
        return add(NodeDef.sink(name, topic, internal, produced), List.of(parent));
    }

    /**
     * Add a store, and connect it to processors.
     */
    public void addStore(final StoreDef store, final String... processors)
    {
        if (null != stores.putIfAbsent(store.name(), store))
        {
            throw new IllegalArgumentException("a store named " + store.name() + " already exists");
        }
        connect(store.name(), processors);
    }

    /**
     * Give processors access to an existing store.
     */
    public void connect(final String store, final String... processors)
    {
        if (!stores.containsKey(store))
        {
            throw new IllegalArgumentException("no store named " + store);
        }
        for (final String processor : processors)
        {
            nodes.get(processor).stores.add(store);
        }
    }

    private NodeDef add(final NodeDef node, final List<String> parents)
    {
        if (nodes.containsKey(node.name))
        {
            throw new IllegalArgumentException("a node named " + node.name + " already exists");
        }
        for (final String parent : parents)
        {
            final NodeDef parentNode = nodes.get(parent);
            if (null == parentNode || parentNode.kind == NodeDef.Kind.SINK)
            {
                throw new IllegalArgumentException("no node " + parent + " to take records from");
            }
            parentNode.children.add(node.name);
            node.parents.add(parent);
        }
        nodes.put(node.name, node);
        return node;
    }

    /**
     * Cut the graph into sub-topologies: nodes joined by an edge, or sharing a store, are in one (a record crosses
     * from one sub-topology to another only through a topic); numbered in the order of their first node.
     *
     * @return the topology.
     */
    public Topology build()
    {
        if (nodes.isEmpty())
        {
            throw new IllegalStateException("the topology has no source: add a stream or a table");
        }
        final Map<String, String> root = new LinkedHashMap<>();
        for (final String name : nodes.keySet())
        {
            root.put(name, name);
        }
        for (final NodeDef node : nodes.values())
        {
            for (final String parent : node.parents)
            {
                union(root, node.name, parent);
            }
        }
        final Map<String, String> storeOwner = new TreeMap<>();
        for (final NodeDef node : nodes.values())
        {
            for (final String store : node.stores)
            {
                final String owner = storeOwner.putIfAbsent(store, node.name);
                if (null != owner)
                {
                    union(root, node.name, owner);
                }
            }
        }
        final Map<String, List<NodeDef>> groups = new LinkedHashMap<>();
        for (final NodeDef node : nodes.values())
        {
            groups.computeIfAbsent(find(root, node.name), (r) -> new ArrayList<>()).add(node);
        }
        final List<Topology.Subtopology> subtopologies = new ArrayList<>();
        for (final List<NodeDef> group : groups.values())
        {
            final Set<String> groupStores = new LinkedHashSet<>();
            for (final NodeDef node : group)
            {
                groupStores.addAll(node.stores);
            }
            final List<StoreDef> storeDefs = new ArrayList<>();
            for (final String store : groupStores)
            {
                storeDefs.add(stores.get(store));
            }
            subtopologies.add(new Topology.Subtopology(subtopologies.size(), List.copyOf(group), List.copyOf(storeDefs)));
        }
        return new Topology(List.copyOf(subtopologies));
    }

    private static void union(final Map<String, String> root, final String a, final String b)
    {
        final String ra = find(root, a);
        final String rb = find(root, b);
        if (!ra.equals(rb))
        {
            root.put(rb, ra);
        }
    }

    private static String find(final Map<String, String> root, final String name)
    {
        String current = name;
        while (!root.get(current).equals(current))
        {
            current = root.get(current);
        }
        return current;
    }
}
