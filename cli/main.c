#include <ssbnet/ssb_core.h>
#include <stdio.h>
int main(void)
{
    printf("ssbnet %s\n", ssb_version());
    return 0;
}
