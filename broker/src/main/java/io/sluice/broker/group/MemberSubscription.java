package io.sluice.broker.group;

import io.sluice.transport.PartitionRef;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one member of a group asked for when it joined: the topics it subscribes to and the partitions it owns now
 * (for sticky assignment; empty for eager members, which give up their partitions before joining).
 *
 * @param memberId the member's id in the group.
 * @param topics   the names of the topics the member subscribes to, whether they exist or not.
 * @param owned    the partitions the member reads now.
 */
public record MemberSubscription(String memberId, Set<String> topics, Set<PartitionRef> owned)
{
    /**
     * Copies the sets, so that a subscription does not change after it is made.
     */
    public MemberSubscription
    {
        Objects.requireNonNull(memberId, "memberId");
        topics = Set.copyOf(topics);
        owned = Set.copyOf(owned);
    }

    /**
     * @param members the members of a group, in any order.
     * @return a new list of the members sorted by member id, where every assignor starts so that it is deterministic.
     * @throws IllegalArgumentException if there are no members or two have the same id.
     */
    static List<MemberSubscription> sortedByMemberId(final List<MemberSubscription> members)
    {
        if (members.isEmpty())
        {
            throw new IllegalArgumentException("a group to assign has at least one member");
        }

        final List<MemberSubscription> sorted = new ArrayList<>(members);
        sorted.sort(Comparator.comparing(MemberSubscription::memberId));
        for (int i = 1; i < sorted.size(); i++)
        {
            if (sorted.get(i - 1).memberId().equals(sorted.get(i).memberId()))
            {
                throw new IllegalArgumentException("two members have the id " + sorted.get(i).memberId());
            }
        }

        return sorted;
    }

    /**
     * @param members         the members of a group.
     * @param partitionCounts partitions per existing topic.
     * @return the topics some member subscribes to that exist and have partitions, sorted.
     */
    static TreeSet<String> subscribedTopics(
        final List<MemberSubscription> members, final Map<String, Integer> partitionCounts)
    {
        final TreeSet<String> topics = new TreeSet<>();
        for (final MemberSubscription member : members)
        {
            for (final String topic : member.topics())
            {
                final Integer count = partitionCounts.get(topic);
                if (null != count && count > 0)
                {
                    topics.add(topic);
                }
            }
        }

        return topics;
    }
}
