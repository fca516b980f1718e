package io.sluice.streams.internals;

import io.sluice.streams.processor.Processor;
import io.sluice.streams.processor.ProcessorContext;

/**
 * A processor that keeps its context from {@link #init}. Not part of the API.
 *
 * @param <K> key type received.
 * @param <V> value type received.
 */
public abstract class ContextProcessor<K, V> implements Processor<K, V>
{
    protected ProcessorContext context;

    public void init(final ProcessorContext context)
    {
        this.context = context;
    }
}
