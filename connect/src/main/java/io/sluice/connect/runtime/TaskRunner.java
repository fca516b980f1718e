package io.sluice.connect.runtime;

/**
 * What the runtime holds of a running task: its state for the status endpoint and the means to stop it.
 */
abstract class TaskRunner
{
    final String connector;
    final int id;
    volatile String state = "UNASSIGNED";
    volatile String lastError;
    volatile long records;

    TaskRunner(final String connector, final int id)
    {
        this.connector = connector;
        this.id = id;
    }

    TaskStatus status()
    {
        return new TaskStatus(id, state, records, lastError);
    }

    void failed(final Throwable error)
    {
        lastError = String.valueOf(error.getMessage());
        state = "FAILED";
    }

    /** Start the task on a thread of its own. */
    abstract void start();

    /** Stop the task, committing what was delivered; returns once it has stopped. */
    abstract void stop();
}
