package io.sluice.streams.runtime;

import io.sluice.client.ConsumerRecord;
import io.sluice.streams.StreamsApp;
import io.sluice.streams.internals.Checkpoint;
import io.sluice.streams.internals.StreamTask;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The work of one commit interval: the input records processed, the tasks that took part, and a count of the records
 * sent and not yet acknowledged. When the round is closed the tasks take their checkpoints; once every send is
 * acknowledged the checkpoints are written, and once they are acknowledged the input records are, so the consumer
 * commits offsets no further than a written checkpoint. Sends are counted from any thread; the rest is the stream
 * thread's. Not part of the API.
 */
final class CommitRound
{
    /** Sends not yet acknowledged, plus one until the round is closed. */
    private final AtomicInteger unacknowledged = new AtomicInteger(1);
    private final Consumer<CommitRound> onDurable;
    private final Map<StreamsApp.TaskId, List<ConsumerRecord<?, ?>>> inputs = new HashMap<>();
    private final Set<StreamsApp.TaskId> tasks = new LinkedHashSet<>();
    private final Map<StreamsApp.TaskId, StreamTask> snapshotted = new HashMap<>();
    private final Map<StreamsApp.TaskId, Checkpoint> checkpoints = new HashMap<>();

    /**
     * @param onDurable given this round (on the thread of the last acknowledgement) once it is closed and every send
     *                  of it acknowledged.
     */
    CommitRound(final Consumer<CommitRound> onDurable)
    {
        this.onDurable = onDurable;
    }

    void sending(final int sends)
    {
        unacknowledged.addAndGet(sends);
    }

    void sent()
    {
        if (unacknowledged.decrementAndGet() == 0)
        {
            onDurable.accept(this);
        }
    }

    /**
     * @param task  that took part.
     * @param input a record it processed, to acknowledge when its checkpoint is written; null for none.
     */
    void add(final StreamsApp.TaskId task, final ConsumerRecord<?, ?> input)
    {
        tasks.add(task);
        if (null != input)
        {
            inputs.computeIfAbsent(task, (id) -> new ArrayList<>()).add(input);
        }
    }

    boolean isEmpty()
    {
        return tasks.isEmpty();
    }

    /**
     * End the round: each task that took part and still runs here takes its checkpoint, logging its epoch's changes
     * (sent as this round's, before {@link #seal()}).
     *
     * @param running the task running now with an id, or null.
     */
    void close(final Function<StreamsApp.TaskId, StreamTask> running)
    {
        for (final StreamsApp.TaskId id : tasks)
        {
            final StreamTask task = running.apply(id);
            if (null != task)
            {
                snapshotted.put(id, task);
                checkpoints.put(id, task.snapshot());
            }
        }
    }

    /**
     * Nothing more is sent in the round: it is durable once what was sent is acknowledged.
     */
    void seal()
    {
        sent();
    }

    /**
     * @return the checkpoints taken at the close, by task.
     */
    Map<StreamsApp.TaskId, Checkpoint> checkpoints()
    {
        return checkpoints;
    }

    /**
     * @param id a task of the round.
     * @return the task instance that took the checkpoint.
     */
    StreamTask snapshotted(final StreamsApp.TaskId id)
    {
        return snapshotted.get(id);
    }

    /**
     * The task's checkpoint is written: acknowledge its input records.
     *
     * @param id of the task.
     */
    void acknowledgeInputs(final StreamsApp.TaskId id)
    {
        final List<ConsumerRecord<?, ?>> records = inputs.get(id);
        if (null != records)
        {
            for (final ConsumerRecord<?, ?> record : records)
            {
                record.acknowledge();
            }
        }
    }
}
