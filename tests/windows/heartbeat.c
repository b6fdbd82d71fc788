/* A stand-in "go" for the Ctrl-C plumbing test under Wine
 * (tests/windows/wine.sh): appends a byte to the file named by its first
 * argument every 100 ms for 30 s, with no console control handler of its
 * own, so Ctrl-C ends it the default way.  Not evidence of anything about
 * diagnosis. */
#include <stdio.h>
#include <windows.h>

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    for (int i = 0; i < 300; i++) {
        FILE *f = fopen(argv[1], "a");
        if (f) {
            fputc('x', f);
            fclose(f);
        }
        Sleep(100);
    }
    return 0;
}
