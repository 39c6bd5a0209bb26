import re, sys

def match_close(s, i, open_c, close_c):
    # s[i] == open_c; return index of matching close
    depth = 0; j = i; instr = False
    while j < len(s):
        c = s[j]
        if instr:
            if c == '\\': j += 2; continue
            if c == '"': instr = False
        elif c == '"': instr = True
        elif c in '([{': depth += 1
        elif c in ')]}':
            depth -= 1
            if depth == 0: return j
        j += 1
    raise ValueError('unbalanced')

def split_top(s):
    parts=[]; depth=0; cur=''; instr=False; k=0
    while k < len(s):
        c=s[k]
        if instr:
            cur+=c
            if c=='\\': cur+=s[k+1]; k+=2; continue
            if c=='"': instr=False
        elif c=='"': instr=True; cur+=c
        elif c in '([{<' and not (c=='<' and False): 
            if c in '([{': depth+=1
            cur+=c
        elif c in ')]}': depth-=1; cur+=c
        elif c==',' and depth==0: parts.append(cur); cur=''
        else: cur+=c
        k+=1
    if cur.strip(): parts.append(cur)
    return [p.strip() for p in parts if p.strip()]

OPTIONAL = {'max_age','subject','typ','ttl','audience'}
def unsome(name, v):
    m = re.fullmatch(r'Some\((.*)\)', v, re.S)
    if m and name in OPTIONAL: return m.group(1), True
    return v, False

def struct_lit(s, name, newname, required=None):
    out=''; i=0
    pat = re.compile(r'\b' + name + r' \{')
    while True:
        m = pat.search(s, i)
        if not m: out += s[i:]; return out
        # skip definitions like `fn x() -> VerifierOptions {`
        pre = s[max(0,m.start()-4):m.start()]
        if pre.endswith('-> '):
            out += s[i:m.end()]; i = m.end(); continue
        b = m.end()-1
        e = match_close(s, b, '{', '}')
        body = s[b+1:e]
        fields = split_top(body)
        req = None; calls=[]; ok=True
        for f in fields:
            if f.startswith('..'):
                if f not in ('..Default::default()', '..JwtVerifierOptions::default()'): ok=False
                continue
            if ':' not in f:
                fname, val = f, f
            else:
                fname, val = f.split(':',1); fname=fname.strip(); val=val.strip()
            if required and fname == required: req = val; continue
            v, was = unsome(fname, val)
            if fname in OPTIONAL and not was and val.strip()=='None': continue
            if fname in ('max_age','subject','typ','ttl','audience') and not was:
                calls.append(f'/* TODO {fname} */.with_{fname}({val})')
            else:
                calls.append(f'.with_{fname}({v})')
        if not ok:
            out += s[i:e+1]; i = e+1; continue
        head = f'{newname}::new({req})' if required else f'{newname}::new()'
        out += s[i:m.start()] + head + ''.join(calls)
        i = e+1

def call_args(s, name):
    """yield (start, end, args) for name(...) calls"""
    res=[]
    for m in re.finditer(re.escape(name)+r'\(', s):
        b=m.end()-1; e=match_close(s,b,'(',')')
        res.append((m.start(), e+1, split_top(s[b+1:e])))
    return res

def with_clock(s, typ):
    for st, en, args in reversed(call_args(s, typ+'::with_clock')):
        if len(args)!=3: continue
        k,o,c = args
        s = s[:st] + f'{typ}::new({k}, {o}.with_clock({c}))' + s[en:]
    return s

def issuer_chain(s):
    calls = call_args(s, 'JwtIssuer::new')
    for st, en, args in reversed(calls):
        if len(args)!=2: continue
        k, a = args
        if a.startswith('JwtIssuerOptions'): continue
        opts='JwtIssuerOptions::new()'
        if a == 'None': pass
        elif re.fullmatch(r'Some\((.*)\)', a, re.S): opts += '.with_algorithm(' + re.fullmatch(r'Some\((.*)\)', a, re.S).group(1)+')'
        else: opts += f'/* TODO alg */.with_algorithm({a})'
        # suffix
        j=en; suffix=''
        mm = re.match(r'(\s*\?|\s*\.unwrap\(\)|\s*\.expect\([^)]*\))', s[j:])
        if mm: suffix=mm.group(1); j+=len(suffix)
        while True:
            mm = re.match(r'\s*\.(issuer|audience|ttl|typ|clock)\(', s[j:])
            if not mm: break
            b = j+mm.end()-1; e=match_close(s,b,'(',')')
            arg = s[b+1:e]
            meth = mm.group(1)
            if meth=='audience':
                arg2 = re.sub(r'^vec!\[(.*)\]$', r'[\1]', arg.strip(), flags=re.S)
                opts += f'.with_audience({arg2})'
            else:
                opts += f'.with_{meth}({arg})'
            j = e+1
        # trailing ? after chain (e.g. JwtIssuer::new(..)?.issuer(..) handled) 
        s = s[:st] + f'JwtIssuer::new({k}, {opts})' + suffix.strip() + s[j:]
    return s

for p in sys.argv[1:]:
    s = open(p).read(); o = s
    s = re.sub(r'(?<![\w:])Key\b(?!Record|Store)', 'JwtKey', s) if ('jwt' in s) else s
    s = re.sub(r'\bjwt::Key\b', 'jwt::JwtKey', s)
    s = re.sub(r'\b(?<!Jwt)IssueOptions\b', 'JwtIssueOptions', s)
    s = re.sub(r'\bRemoteOptions\b', 'RemoteKeySetOptions', s)
    s = re.sub(r'\b(?<!Jwt)VerifierOptions\b', 'JwtVerifierOptions', s)
    s = re.sub(r'\.with_alg\(', '.with_algorithm(', s)
    s = struct_lit(s, 'JwtVerifierOptions', 'JwtVerifierOptions', 'algorithms')
    s = struct_lit(s, 'JwtIssueOptions', 'JwtIssueOptions')
    s = struct_lit(s, 'RemoteKeySetOptions', 'RemoteKeySetOptions')
    s = with_clock(s, 'JwtVerifier')
    s = with_clock(s, 'RemoteKeySet')
    s = issuer_chain(s)
    s = s.replace('JwtIssueOptions::default()', 'JwtIssueOptions::new()')
    if s != o:
        open(p,'w').write(s); print('rewrote', p)
