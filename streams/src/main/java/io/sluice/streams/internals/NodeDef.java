package io.sluice.streams.internals;

import io.sluice.streams.Consumed;
import io.sluice.streams.Produced;
import io.sluice.streams.processor.Processor;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * One node of a topology as the DSL defines it: a source (topics and their serdes), a processor (made once per
 * task), or a sink (a topic and its serdes). Internal topics are named without the application id, which the task
 * prefixes. Not part of the API.
 */
public final class NodeDef
{
    /**
     * What a node does.
     */
    public enum Kind
    {
        SOURCE, PROCESSOR, SINK
    }

    final String name;
    final Kind kind;
    final List<String> parents = new ArrayList<>();
    final List<String> children = new ArrayList<>();
    final Set<String> stores = new LinkedHashSet<>();
    final Supplier<? extends Processor<?, ?>> supplier;
    final List<String> topics;
    final boolean internalTopic;
    final Consumed<?, ?> consumed;
    final Produced<?, ?> produced;

    private NodeDef(
        final String name,
        final Kind kind,
        final Supplier<? extends Processor<?, ?>> supplier,
        final List<String> topics,
        final boolean internalTopic,
        final Consumed<?, ?> consumed,
        final Produced<?, ?> produced)
    {
        this.name = name;
        this.kind = kind;
        this.supplier = supplier;
        this.topics = topics;
        this.internalTopic = internalTopic;
        this.consumed = consumed;
        this.produced = produced;
    }

    static NodeDef source(final String name, final List<String> topics, final boolean internal,
        final Consumed<?, ?> consumed)
    {
        return new NodeDef(name, Kind.SOURCE, null, List.copyOf(topics), internal, consumed, null);
    }

    static NodeDef processor(final String name, final Supplier<? extends Processor<?, ?>> supplier)
    {
        return new NodeDef(name, Kind.PROCESSOR, supplier, List.of(), false, null, null);
    }

    static NodeDef sink(final String name, final String topic, final boolean internal, final Produced<?, ?> produced)
    {
        return new NodeDef(name, Kind.SINK, null, List.of(topic), internal, null, produced);
    }

    public String name()
    {
        return name;
    }

    public Kind kind()
    {
        return kind;
    }

    public List<String> parents()
    {
        return parents;
    }

    public List<String> children()
    {
        return children;
    }

    public Set<String> stores()
    {
        return stores;
    }

    /**
     * @return a source's topics or a sink's topic, as named in the topology (internal ones without the prefix).
     */
    public List<String> topics()
    {
        return topics;
    }

    public boolean internalTopic()
    {
        return internalTopic;
    }
}
