import re,sys
for p in sys.argv[1:]:
    s=open(p).read(); o=s
    s=re.sub(r'(?<![-\w])Key\b(?!s\b)','JwtKey',s)
    s=s.replace('KeySet.remote(','RemoteKeySet(').replace('KeySet.discover(','RemoteKeySet.discover(')
    s=re.sub(r'JwtVerifier\((remote|RemoteKeySet)',r'RemoteJwtVerifier(\1',s)
    # verifier kwargs
    def fix(m):
        seg=m.group(0)
        seg=re.sub(r'\bissuer=','issuers=',seg); seg=re.sub(r'\baudience=','audiences=',seg)
        return seg
    s=re.sub(r'JwtVerifier\((?:[^()]|\([^()]*(?:\([^()]*\))?[^()]*\))*\)',fix,s)
    if s!=o: open(p,'w').write(s); print(p)
