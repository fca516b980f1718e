package io.sluice.perf.e2e;

/**
 * A broker set-up measured by {@link E2eBenchmark}: it starts its broker(s) and topic, and hands out producers and
 * consumers of that topic. Each target runs alone on the machine: the harness starts it, runs every phase, and closes
 * it before the next target starts.
 * <p>
 * To add a target, implement this interface and register a factory under its {@link #name()} in
 * {@link E2eTargets}.
 * <p>
 * Threads: the harness calls these methods from one thread, except {@link #newProducer}, which each sender thread
 * calls for its own producer, several at the same time when a run has several producers. Producers and consumers
 * have their own rules (see {@link E2eProducer} and {@link E2eConsumer}).
 */
public interface E2eTarget extends AutoCloseable
{
    /**
     * Name on the command line ({@code --targets}) and in the report.
     *
     * @return a short lower-case name, for example {@code kafka} or {@code sluice-ipc}.
     */
    String name();

    /**
     * Start the broker(s) and create the topic of {@code settings}, empty, with its partitions. Returns once
     * producers and consumers can be created.
     *
     * @param settings of the run.
     * @throws Exception if the target cannot start; the harness then calls {@link #close()}.
     */
    void start(E2eSettings settings) throws Exception;

    /**
     * How this target is set up, for the report: versions, producer and consumer settings, threads.
     *
     * @return one or a few lines, without a trailing line separator; valid after {@link #start(E2eSettings)}.
     */
    String description();

    /**
     * A new producer of the topic. The harness closes it before asking for the next one.
     *
     * @param acks     acknowledgement level as in Kafka: 0, 1, or -1 for all; the harness uses 1.
     * @param profile  what the producer is used for, so the target may pick its batching.
     * @param listener told of the outcome of every record sent.
     * @return the producer.
     * @throws Exception if it cannot be created.
     */
    E2eProducer newProducer(int acks, ProducerProfile profile, E2eProducer.AckListener listener) throws Exception;

    /**
     * A new consumer of every partition of the topic, positioned at the end: once this returns, it receives every
     * record sent afterwards, and none sent before.
     *
     * @return the consumer.
     * @throws Exception if it cannot be created.
     */
    E2eConsumer newConsumer() throws Exception;

    /**
     * Stop everything this target started and delete its files. Safe to call after a failed or no start, and twice.
     */
    void close();

    /**
     * What a producer is used for.
     */
    enum ProducerProfile
    {
        /** Paced sends; each record's latency counts: send without waiting to fill a batch. */
        LATENCY,

        /** Sends as fast as the producer accepts them; records per second count: batch as the client would. */
        THROUGHPUT
    }
}
