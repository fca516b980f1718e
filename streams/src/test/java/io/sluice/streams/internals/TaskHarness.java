package io.sluice.streams.internals;

import io.sluice.streams.Topology;
import io.sluice.streams.state.KeyValueStore;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs every sub-topology of a topology as one {@link StreamTask} on partition 0, routing what a task writes to an
 * internal topic to the task reading it, and keeps everything written; a harness can first restore its stores from
 * the changelog records another one wrote: a stopped and restarted application, for restore tests.
 */
public final class TaskHarness
{
    /**
     * A record written to a topic.
     */
    public record Sent(String topic, byte[] key, byte[] value, long timestamp)
    {
    }

    private final String applicationId;
    private final List<StreamTask> tasks = new ArrayList<>();
    private final Map<String, StreamTask> tasksByTopic = new HashMap<>();
    private final List<Sent> sent = new ArrayList<>();
    private final ArrayDeque<Sent> pending = new ArrayDeque<>();
    private final Map<String, Long> offsets = new HashMap<>();

    public TaskHarness(final Topology topology, final String applicationId)
    {
        this.applicationId = applicationId;
        for (final Topology.Subtopology subtopology : topology.subtopologies())
        {
            final StreamTask task = new StreamTask(applicationId, subtopology, 0,
                (topic, partition, key, value, timestamp) -> pending.add(new Sent(topic, key, value, timestamp)));
            tasks.add(task);
            for (final String topic : task.sourceTopics())
            {
                tasksByTopic.put(topic, task);
            }
        }
    }

    /**
     * Put the changelog records of an earlier run back into this run's stores.
     *
     * @return how many records were restored.
     */
    public int restoreFrom(final List<Sent> earlier)
    {
        int restored = 0;
        for (final Sent record : earlier)
        {
            for (final StreamTask task : tasks)
            {
                for (final StoreDef store : task.subtopology().stores())
                {
                    if (store.changelogTopic(applicationId).equals(record.topic()))
                    {
                        task.restore(store.name(), record.key(), record.value());
                        restored++;
                    }
                }
            }
        }
        return restored;
    }

    /**
     * Process an input record and everything it causes.
     */
    public void pipe(final String topic, final byte[] key, final byte[] value, final long timestamp)
    {
        process(topic, key, value, timestamp);
        Sent next;
        while (null != (next = pending.pollFirst()))
        {
            sent.add(next);
            if (tasksByTopic.containsKey(next.topic()))
            {
                process(next.topic(), next.key(), next.value(), next.timestamp());
            }
        }
    }

    /**
     * @return everything written so far, in order.
     */
    public List<Sent> sent()
    {
        return sent;
    }

    /**
     * @return what was written to one topic, in order.
     */
    public List<Sent> sentTo(final String topic)
    {
        return sent.stream().filter((s) -> s.topic().equals(topic)).toList();
    }

    /**
     * @return a store's entries.
     */
    public Map<Object, Object> storeContents(final String name)
    {
        for (final StreamTask task : tasks)
        {
            final KeyValueStore<?, ?> store = task.stores().get(name);
            if (null != store)
            {
                final Map<Object, Object> contents = new HashMap<>();
                store.all().forEach((entry) -> contents.put(entry.key(), entry.value()));
                return contents;
            }
        }
        throw new IllegalArgumentException("no store " + name);
    }

    private void process(final String topic, final byte[] key, final byte[] value, final long timestamp)
    {
        final long offset = offsets.merge(topic, 1L, Long::sum) - 1;
        final StreamTask task = tasksByTopic.get(topic);
        task.process(topic, offset, timestamp, key, value);
        task.snapshot(); // a commit after every record, as the test driver's: the record's store changes logged
        task.checkpointAcknowledged();
    }
}
