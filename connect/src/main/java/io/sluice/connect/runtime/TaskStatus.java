package io.sluice.connect.runtime;

/**
 * A task's state as the status endpoint shows it.
 *
 * @param id        the task number within its connector.
 * @param state     UNASSIGNED, RUNNING, FAILED or STOPPED.
 * @param records   records the task moved (sent by a source, delivered by a sink).
 * @param lastError the message of the last error, or null.
 */
public record TaskStatus(int id, String state, long records, String lastError)
{
}
