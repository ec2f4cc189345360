#!/usr/bin/env python3
"""Random hostile requests against a running server; reports any 5xx or non-JSON answer.

Usage: python3 scripts/fuzz.py http://127.0.0.1:8080 sqlite|postgres
Creates an app, an entity with every field type and a self-relation, sends 1,500 random
create/update/get/delete/list requests (bad values, unknown keys, nested writes, odd ids and
query strings), prints the count of bad answers and deletes the app. Loopback only."""
import json, os, random, sys, requests, string
# Reproducible by default; FUZZ_SEED=<n> explores other inputs.
SEED = int(os.environ.get('FUZZ_SEED', '20261201'))
random.seed(SEED)
B=sys.argv[1]; s=requests.Session()
def j(m,p,tok=None,body=None,raw=None,ct='application/json'):
    h={'content-type':ct}
    if tok: h['authorization']='Bearer '+tok
    r=s.request(m,B+p,headers=h,data=raw if raw is not None else (json.dumps(body) if body is not None else None))
    return r
pt=j('POST','/api/_platform/auth/login',body={'email':'platform@localhost','password':'changeme'}).json()['data']['access_token']
app='fz'+''.join(random.SystemRandom().choice('abcdef') for _ in range(8))
r = j("POST", "/api/_platform/apps", pt, {"name": app, "db_driver": sys.argv[2]}); assert r.status_code == 201, r.text
at=pt
ent={'name':'thing','table':'thing','primary_key':{'field':'id','type':'uuid','generated':True},'soft_delete':True,
 'fields':[{'name':'id','type':'uuid'},{'name':'s','type':'string','unique':True},{'name':'n','type':'int','required':True},
 {'name':'d','type':'decimal','precision':2},{'name':'b','type':'boolean'},{'name':'t','type':'timestamp'},{'name':'dt','type':'date'},
 {'name':'j','type':'json'},{'name':'u','type':'uuid'},{'name':'bi','type':'bigint'},{'name':'f','type':'float'},{'name':'p_id','type':'uuid'}]}
print(j('POST',f'/api/{app}/_admin/entities',at,ent).status_code)
print(j('POST',f'/api/{app}/_admin/relations',at,{'name':'kids','type':'one_to_many','source':'thing','target':'thing','source_key':'id','target_key':'p_id','on_delete':'cascade'}).status_code)
vals=[None,True,False,0,-1,2**31,2**63-1,2**64,1.5,-0.0,1e308,'', 'x', "'; DROP TABLE thing;--", '0000', '2025-01-01', '2025-13-45T99:99:99Z',
 '00000000-0000-0000-0000-000000000000', [], [1,'a'], {}, {'a':{'b':[1]}}, 'NaN', 'Infinity', '\u0000', 'é'*1000]
fields=[f['name'] for f in ent['fields']]+['kids','zzz','_delete']
bad=0; n=0
ids=[]
for i in range(1500):
    body={'n':random.randint(-5,5),'s':''.join(random.choice(string.ascii_letters) for _ in range(8))} if random.random()<0.6 else {}
    body.update({random.choice(fields):random.choice(vals) for _ in range(random.randint(0,3))})
    if random.random()<0.2: body['kids']={'_write_mode':random.choice(['diff','replace','append','x',5]),'data':[{random.choice(fields):random.choice(vals)} for _ in range(random.randint(0,3))]+([{'id':random.choice(ids),'_delete':True}] if ids else [])}
    m=random.choice(['POST','PUT','GET','DELETE','LIST'])
    rid=random.choice(ids) if ids and random.random()<0.7 else random.choice(['x','1','%27','00000000-0000-0000-0000-000000000000'])
    if m=='POST': r=j('POST',f'/api/{app}/thing',at,body)
    elif m=='PUT': r=j('PUT',f'/api/{app}/thing/{rid}',at,body)
    elif m=='GET': r=j('GET',f'/api/{app}/thing/{rid}?include='+random.choice(['kids','thing','x','']),at)
    elif m=='DELETE': r=j('DELETE',f'/api/{app}/thing/{rid}',at)
    else:
        f=random.choice(fields); op=random.choice(['eq','neq','gt','gte','lt','lte','in','not_in','like','zz'])
        v=str(random.choice(vals))
        r=s.get(B+f'/api/{app}/thing',params={f'filter[{f}.{op}]':v,'sort':random.choice(['-n','s,-d','zzz','']),'page':random.choice(['1','-5','x','99999999999999999999']),'per_page':random.choice(['10','0','1000']),'include':random.choice(['kids','','x'])},headers={'authorization':'Bearer '+at})
    n+=1
    if r.status_code>=500 or not r.headers.get('content-type','').startswith('application/json'):
        bad+=1
        if bad<=10: print('BAD',m,r.status_code,json.dumps(body)[:200],r.text[:200])
    if m=='POST' and r.status_code==201: ids.append(r.json()['data']['id'])
def check(label, r):
    global bad, n
    n += 1
    if r.status_code >= 500 or not r.headers.get('content-type', '').startswith('application/json'):
        bad += 1
        print('BAD', label, r.status_code, r.text[:200])

# Hostile shapes of the security probe (issue 7, findings 5, 7, 8, 9).
auth = {'authorization': 'Bearer ' + at}
check('long like', s.get(B+f'/api/{app}/thing', params={'filter[s.like]': '%' + 'a'*5000}, headers=auth))
check('backtracking like', s.get(B+f'/api/{app}/thing', params={'filter[s.like]': '%a'*499 + 'b'}, headers=auth))
check('2000 sort terms', s.get(B+f'/api/{app}/thing', params={'sort': ','.join(['-n']*2000)}, headers=auth))
check('1000 filters', s.get(B+f'/api/{app}/thing?' + '&'.join(f'filter[n{i}]=1' for i in range(1000)), headers=auth))
check('long in list', s.get(B+f'/api/{app}/thing', params={'filter[n.in]': ','.join(str(i) for i in range(400))}, headers=auth))
tag = dict(ent, name='tag', table='tag', soft_delete=False, fields=[{'name':'id','type':'uuid'},{'name':'label','type':'string'}])
j('POST', f'/api/{app}/_admin/entities', at, tag)
j('POST', f'/api/{app}/_admin/relations', at, {'name':'tags','type':'many_to_many','source':'thing','target':'tag','source_key':'id','join_table':'thing_tags','source_join_key':'thing_id','target_join_key':'tag_id'})
import uuid
links = [{'id': str(uuid.UUID(int=random.getrandbits(128), version=4))} for _ in range(3000)]
r = j('POST', f'/api/{app}/thing', at, {'n': 1, 's': 'linked', 'tags': {'data': links}}); check('3000 links', r)
check('include of many links', s.get(B+f'/api/{app}/thing', params={'include': 'tags', 'per_page': '100'}, headers=auth))
import socket
def raw(label, data):
    global bad, n
    n += 1
    host, port = B.split('//')[1].split(':')
    with socket.create_connection((host, int(port)), timeout=10) as c:
        c.sendall(data)
        got = b''
        while True:
            chunk = c.recv(65536)
            if not chunk: break
            got += chunk
    head, _, body = got.partition(b'\r\n\r\n')
    status = int(head[9:12] or 0)
    ok = 400 <= status < 500 and b'application/json' in head.lower() and body.startswith(b'{"error"')
    if not ok:
        bad += 1
        print('BAD', label, head[:200], body[:200])
raw('70 KB url', f'GET /api/{app}/thing?q={"a"*70000} HTTP/1.1\r\nHost: x\r\n\r\n'.encode())
raw('150 headers', ('GET /health HTTP/1.1\r\nHost: x\r\n' + ''.join(f'x-h{i}: v\r\n' for i in range(150)) + '\r\n').encode())
raw('garbage request line', b'BLAH\x01 / HTTP/1.1\r\n\r\n')
print('requests',n,'5xx/non-json',bad,'created',len(ids),'seed',SEED)
j('DELETE',f'/api/_platform/apps/{app}',pt)
sys.exit(1 if bad else 0)
