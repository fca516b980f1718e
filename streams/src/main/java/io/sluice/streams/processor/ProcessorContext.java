package io.sluice.streams.processor;

/**
 * What a {@link Processor} sees of its task.
 */
public interface ProcessorContext
{
    /**
     * Send a record to every child of the calling processor, which process it before this call returns.
     *
     * @param record to forward.
     */
    <K, V> void forward(Record<K, V> record);

    /**
     * Send a record to one child of the calling processor.
     *
     * @param record    to forward.
     * @param childName the child's node name.
     * @throws IllegalArgumentException if the processor has no such child.
     */
    <K, V> void forward(Record<K, V> record, String childName);

    /**
     * @param name of a store the topology connected to this processor.
     * @return the store.
     * @throws IllegalArgumentException for a store this processor was not given.
     */
    <S> S stateStore(String name);

    /**
     * @return the application id: the group name of its instances and the prefix of its internal topics.
     */
    String applicationId();

    /**
     * @return the input partition this task processes.
     */
    int partition();

    /**
     * @return the topic of the record being processed.
     */
    String topic();

    /**
     * @return the offset of the record being processed, in its input partition.
     */
    long offset();

    /**
     * @return the task's stream time: the largest event time it has processed; windows close on it.
     */
    long streamTime();
}
