package io.sluice.transport;

import io.sluice.codecs.client.GroupState;

import java.util.List;

/**
 * A consumer group as its coordinator sees it: members and their partitions, and per partition the committed
 * offset, the end offset and the lag between them.
 *
 * @param name       of the group.
 * @param state      of its membership.
 * @param generation current generation, 0 before the first.
 * @param assignor   protocol name of its assignor, empty for a group without members.
 * @param members    sorted by member id.
 * @param offsets    every partition the group has committed an offset for or reads, sorted.
 */
public record GroupDescription(
    String name, GroupState state, int generation, String assignor, List<Member> members, List<PartitionOffset> offsets)
{
    /**
     * A member of the group.
     *
     * @param memberId         given by the coordinator.
     * @param clientName       of the member's connection.
     * @param sessionTimeoutMs after which a silent member is removed.
     * @param assignment       the partitions it reads, sorted.
     */
    public record Member(String memberId, String clientName, int sessionTimeoutMs, List<PartitionRef> assignment)
    {
    }

    /**
     * Where the group is in one partition.
     *
     * @param partition       the partition.
     * @param committedOffset the group's next offset, or -1 when it has committed none.
     * @param endOffset       the partition's high watermark, or -1 when the topic no longer exists.
     * @param memberId        the member reading it, or empty.
     */
    public record PartitionOffset(PartitionRef partition, long committedOffset, long endOffset, String memberId)
    {
        /**
         * @return records the group has yet to commit, or -1 when either offset is unknown.
         */
        public long lag()
        {
            return committedOffset < 0 || endOffset < 0 ? -1 : Math.max(0, endOffset - committedOffset);
        }
    }
}
