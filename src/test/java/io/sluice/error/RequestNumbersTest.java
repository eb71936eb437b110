package io.sluice.error;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RequestNumbersTest {

    @Test
    void readsWhatFitsAndRefusesTheRestWithAProblemNamingTheParameter() {
        assertThat(RequestNumbers.nonNegative("0", "after")).isZero();
        assertThat(RequestNumbers.nonNegative(" 9223372036854775807 ", "after")).isEqualTo(Long.MAX_VALUE);
        assertThat(RequestNumbers.between("1000", "limit", 1, 1000)).isEqualTo(1000);
        for (String bad : new String[] {"-1", "x", "", "1.5", "9223372036854775808"}) {
            assertThatThrownBy(() -> RequestNumbers.nonNegative(bad, "after"))
                    .as(bad)
                    .isInstanceOf(ProblemException.class)
                    .hasMessageContaining("after must be a non-negative integer");
        }
        // 2^32 + 1 would be 1 as an int: it is refused, not read as 1.
        for (String bad : new String[] {"0", "1001", "4294967297", "-4294967295", "ten"}) {
            assertThatThrownBy(() -> RequestNumbers.between(bad, "limit", 1, 1000))
                    .as(bad)
                    .isInstanceOf(ProblemException.class)
                    .hasMessageContaining("limit must be an integer from 1 to 1000");
        }
    }
}
