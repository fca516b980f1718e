package io.sluice.client;

import java.util.Collection;

/**
 * Told when a receive takes partitions and when it gives them up ({@link ConsumerOptions#withAssignmentListener}),
 * as Kafka's {@code ConsumerRebalanceListener}. Called on the client's I/O thread: a call must not block (no admin
 * call, no {@code block()}); hand the work to another thread and return.
 * <p>
 * For one subscription of a receive Flux, a partition's calls alternate: {@code onAssigned}, then its records, then
 * {@code onRevoked}, then perhaps {@code onAssigned} again. With a group the partitions come and go with the
 * group's generations, eager or cooperative alike; without one, {@code onAssigned} names every partition read when
 * the receive starts (and those a pattern adds). When the subscription ends (cancelled, failed, or the client
 * closed) every partition still held is revoked. An exception thrown by a call is logged and ignored.
 */
public interface AssignmentListener
{
    /**
     * Partitions just taken, called before any record of them is emitted.
     *
     * @param partitions taken; not empty.
     */
    void onAssigned(Collection<TopicPartition> partitions);

    /**
     * Partitions given up, called once the member has finished handing them over: the offsets of their acknowledged
     * records are committed (when the group still accepts this member's commits), and no record of them is emitted
     * to this subscription after the call (until they are assigned again). Records still unacknowledged when the
     * revoke timeout passed, or when the membership was lost, are not committed: the next owner reads them again.
     *
     * @param partitions given up; not empty.
     */
    void onRevoked(Collection<TopicPartition> partitions);
}
