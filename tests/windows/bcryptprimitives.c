/* A stand-in for Windows' bcryptprimitives.dll, for the Wine tests only.
 *
 * go >= 1.22 loads bcryptprimitives.dll from system32 and calls ProcessPrng
 * for its random numbers; Debian 12's Wine 8 has no such DLL, so go.exe
 * dies at start-up.  This one answers ProcessPrng with advapi32's
 * RtlGenRandom (SystemFunction036), which Wine implements from the host's
 * random source.  Built with mingw by tests/windows/wine.sh and copied
 * into the test prefix's system32; never shipped. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
